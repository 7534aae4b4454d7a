"""The worker as an operator runs it: ``claimscrub run`` in a process of its own,
configured only through the environment, so it can be SIGKILLed and SIGTERMed for real.
Its stderr (every log line) goes to a file the tests read afterwards."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from claimscrub.workers.settings import Settings
from tests.integration.cli import CLAIMSCRUB, command_env
from tests.ports import free_port


class WorkerProcess:
    """One ``claimscrub run`` process at a time; ``start`` again after it ended. As a
    context manager, it kills whatever still runs on the way out."""

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        self.env = command_env(
            settings,
            # Its own ops port, so a worker running elsewhere on this machine is no bother.
            CLAIMSCRUB_HTTP_PORT=str(free_port()),
            CLAIMSCRUB_LOG_LEVEL="INFO",
        )
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

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *_: object) -> None:
        """Test teardown: whatever state it is in, make sure it is gone."""
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=10)

    def logs(self) -> str:
        return "".join(
            path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log"))
        )
