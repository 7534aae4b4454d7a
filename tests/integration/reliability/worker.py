"""The worker as an operator runs it: ``claimscrub run`` in a process of its own,
configured only through the environment, so it can be SIGKILLed and SIGTERMed for real.
Its stderr (every log line) goes to a file the tests read afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from claimscrub.workers.settings import Settings

CLAIMSCRUB = Path(sys.executable).with_name("claimscrub")


def settings_env(settings: Settings) -> dict[str, str]:
    """``settings`` as the environment variables ``Settings()`` reads back."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):
            env[name] = value.get_secret_value()
        elif value is not None:
            env[name] = str(value)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class WorkerProcess:
    """One ``claimscrub run`` process at a time; ``start`` again after it ended."""

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "CLAIMSCRUB_"))},
            **settings_env(settings),
            # Its own ops port, so a worker running elsewhere on this machine is no bother.
            "CLAIMSCRUB_HTTP_PORT": str(free_port()),
            "CLAIMSCRUB_LOG_LEVEL": "INFO",
        }
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.runs += 1
        log = (self.log_dir / f"worker-{self.runs}.log").open("wb")
        self.process = subprocess.Popen(
            [str(CLAIMSCRUB), "run"], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()  # the child holds its own descriptor

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no drain, no commit, no goodbye to the group."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, timeout_s: float) -> tuple[int, float]:
        """SIGTERM and wait: (exit code, seconds it took to exit)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout_s)
        return code, time.monotonic() - started

    def stop(self) -> None:
        """Test teardown: whatever state it is in, make sure it is gone."""
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=10)

    def logs(self) -> str:
        return "".join(
            path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log"))
        )
