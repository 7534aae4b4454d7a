"""A second ``scripts/kafka-local`` broker, apart from the session's: its own state
directory, SASL/SCRAM on its client listener, and ``stop --keep`` / ``start`` to take it
down and bring the same broker (same port, same data, same committed offsets) back."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from claimscrub.workers.commands.kafka_admin import KAFKA_LOCAL

USERNAME = "claimscrub"
PASSWORD = "reliability-secret"  # test-only credential for a broker on 127.0.0.1


@dataclass(frozen=True)
class SecondBroker:
    state: Path

    def start(self) -> str:
        """Start it, or resume it after ``stop(keep=True)``; returns its address."""
        return self._run("start").strip().splitlines()[-1]

    def stop(self, *, keep: bool = False) -> None:
        self._run("stop", *(["--keep"] if keep else []))

    def _run(self, *args: str) -> str:
        env = {
            **os.environ,
            "CLAIMSCRUB_KAFKA_STATE": str(self.state),
            "KAFKA_SASL": "scram",
            "KAFKA_SASL_USERNAME": USERNAME,
            "KAFKA_SASL_PASSWORD": PASSWORD,
            # Beside the session's broker on a small CI machine.
            "KAFKA_HEAP_OPTS": "-Xms128m -Xmx512m",
        }
        result = subprocess.run(
            [str(KAFKA_LOCAL), *args], env=env, stdout=subprocess.PIPE, text=True, check=False
        )
        if result.returncode != 0:
            msg = f"scripts/kafka-local {' '.join(args)} failed ({result.returncode})"
            raise RuntimeError(msg)
        return result.stdout
