"""The commands that need a broker, when none answers: one line on stderr that names the
address and the setting to fix, exit 1; no traceback, no aiokafka error records, no
"Unclosed AIOKafkaProducer". Real processes against a closed port: no broker needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimscrub.workers.commands.claim_files import example_paths
from tests.ports import free_port

CLAIMSCRUB = Path(sys.executable).with_name("claimscrub")


@pytest.mark.parametrize(
    "args",
    [
        ["run"],
        ["publish", str(example_paths()[0])],
        ["tail", "results", "--max", "1"],
        ["topics"],
    ],
    ids=lambda args: args[0],
)
def test_a_command_without_a_reachable_broker_says_so_in_one_line(args: list[str]) -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "CLAIMSCRUB_"))}
    env |= {
        "KAFKA_BOOTSTRAP_SERVERS": address,
        "CLAIMSCRUB_HTTP_HOST": "127.0.0.1",
        "CLAIMSCRUB_HTTP_PORT": str(free_port()),
    }

    done = subprocess.run(
        [str(CLAIMSCRUB), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        f"claimscrub {args[0]}: cannot reach the Kafka broker at {address} "
        "(KAFKA_BOOTSTRAP_SERVERS): KafkaConnectionError ("
    )
    assert "Connect call failed" in line
