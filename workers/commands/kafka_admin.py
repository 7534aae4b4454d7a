"""Small Kafka chores outside the worker's hot path: topics, and a local broker for dev.

The worker itself never creates its result topics (production clusters own theirs); the
demo and the integration tests do, so that the first results do not race topic creation.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from faststream.kafka.security import parse_security

from claimscrub.workers.settings import Settings

# Shipped inside the package (``scripts/kafka-local`` in a checkout runs this one).
KAFKA_LOCAL = Path(str(files("claimscrub.workers.commands") / "kafka-local" / "kafka-local"))


def client_options(settings: Settings) -> dict[str, Any]:
    """Connection options for plain aiokafka clients, with the worker's security."""
    return {
        "bootstrap_servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        **parse_security(settings.security()),
    }


async def ensure_topics(settings: Settings, names: Iterable[str], partitions: int = 1) -> None:
    """Create the topics that do not exist yet (replication factor 1: dev and test only)."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in dict.fromkeys(names) if name not in existing]
        if missing:
            response = await admin.create_topics([NewTopic(n, partitions, 1) for n in missing])
            for topic, code, *_ in response.topic_errors:
                # "Already exists" means created meanwhile by someone else: what we wanted.
                if code not in (0, TopicAlreadyExistsError.errno):
                    msg = f"creating topic {topic} failed: {for_code(code).__name__}"
                    raise RuntimeError(msg)
    finally:
        await admin.close()


async def topic_partitions(settings: Settings, names: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the named topics, from the cluster's metadata."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        described = await admin.describe_topics(list(names))
    finally:
        await admin.close()
    for topic in described:
        if topic["error_code"]:
            msg = f"topic {topic['topic']}: {for_code(topic['error_code']).__name__}"
            raise RuntimeError(msg)
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]


@dataclass(frozen=True, slots=True)
class LocalBroker:
    """``scripts/kafka-local``: a single-node Kafka on 127.0.0.1 for dev, demo and tests."""

    script: Path = KAFKA_LOCAL

    def running(self) -> bool:
        return self.script.exists() and self._run("status", check=False).returncode == 0

    def start(self) -> str:
        """Start (or reuse) the broker and return its bootstrap address."""
        if not self.script.exists():
            msg = f"{self.script} not found: set KAFKA_BOOTSTRAP_SERVERS to a running broker"
            raise RuntimeError(msg)
        lines = self._run("start").stdout.strip().splitlines()
        if not lines:
            raise RuntimeError("scripts/kafka-local start printed no bootstrap address")
        return lines[-1].strip()

    def stop(self) -> None:
        self._run("stop")

    def _run(self, command: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
        # stderr (progress, errors) goes straight to the user's terminal.
        result = subprocess.run(
            ["bash", str(self.script), command], stdout=subprocess.PIPE, text=True, check=False
        )
        if check and result.returncode != 0:
            msg = f"scripts/kafka-local {command} failed with exit code {result.returncode}"
            raise RuntimeError(msg)
        return result
