"""Small Kafka chores outside the worker's hot path: checks, topics, and a local dev broker.

The worker itself never creates its topics (production clusters own theirs), and neither
does ``publish``: before they start, ``check_broker`` makes sure the broker answers and
the topics exist, and says in one line what is wrong if not (rather than aiokafka's error
records, a traceback, or a topic auto-created by a metadata request). The demo, the bench
and the integration tests create the topics they use, so the first results do not race
topic creation.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
    for_code,
)
from faststream.kafka.security import parse_security

from claimscrub.workers.settings import Settings

# Shipped inside the package (``scripts/kafka-local`` in a checkout runs this one).
KAFKA_LOCAL = Path(str(files("claimscrub.workers.commands") / "kafka-local" / "kafka-local"))

# The settings that name topics, to tell a person which one to fix.
TOPIC_SETTINGS = (
    "CLAIMSCRUB_TOPIC_SUBMITTED",
    "CLAIMSCRUB_TOPIC_PASS",
    "CLAIMSCRUB_TOPIC_FIX_SUGGESTED",
    "CLAIMSCRUB_TOPIC_HOLD",
    "CLAIMSCRUB_TOPIC_INVALID",
)
# How long ``check_broker`` waits for a fresh cluster to elect a group coordinator, and
# ``ensure_topics`` for created topics to have leaders.
SETTLE_S = 30.0


class BrokerError(RuntimeError):
    """The broker cannot serve this command: unreachable, refused the client, or lacks a
    topic. The message is one line for a person, naming the setting to look at."""


def client_options(settings: Settings) -> dict[str, Any]:
    """Connection options for plain aiokafka clients, with the worker's security."""
    return {
        "bootstrap_servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        **parse_security(settings.security()),
    }


async def check_broker(
    settings: Settings, topics: Iterable[str], *, group_id: str | None = None
) -> None:
    """Raise ``BrokerError`` unless the broker answers with the worker's own client options
    and every topic in ``topics`` exists.

    It also waits (up to ``SETTLE_S`` each, then carries on) for what a cluster that has
    just started lacks for a moment, and aiokafka's clients log at error level while they
    retry: brokers in its metadata (an idempotent producer otherwise asks "node None" for
    its producer id), and with ``group_id`` a coordinator for that group (the first group
    on a cluster creates the offsets topic; "coordinator not available" until then)."""
    async with _admin(settings) as admin:
        await _brokers(admin)
        missing = await _missing_topics(admin, topics)
        if missing:
            raise BrokerError(_missing_message(settings, missing))
        if group_id is not None:
            await _coordinator(admin, group_id)


async def ensure_topics(settings: Settings, names: Iterable[str], partitions: int = 1) -> None:
    """Create the topics that do not exist yet (replication factor 1: dev and test only),
    and return once every one of them has a leader for each partition."""
    wanted = list(dict.fromkeys(names))
    async with _admin(settings) as admin:
        missing = await _missing_topics(admin, wanted)
        if missing:
            response = await admin.create_topics([NewTopic(n, partitions, 1) for n in missing])
            for topic, code, *_ in response.topic_errors:
                # "Already exists" means created meanwhile by someone else: what we wanted.
                if code not in (0, TopicAlreadyExistsError.errno):
                    msg = f"creating topic {topic} failed: {for_code(code).__name__}"
                    raise BrokerError(msg)
            await _until_led(admin, wanted)


async def partition_counts(settings: Settings, names: Iterable[str]) -> dict[str, int | None]:
    """How many partitions each named topic has; None for one that does not exist."""
    wanted = list(dict.fromkeys(names))
    async with _admin(settings) as admin:
        missing = set(await _missing_topics(admin, wanted))
        present = [name for name in wanted if name not in missing]
        described = await admin.describe_topics(present) if present else []
    counts = {topic["topic"]: len(topic["partitions"]) for topic in described}
    return {name: counts.get(name) for name in wanted}


async def delete_topics(settings: Settings, names: Iterable[str]) -> None:
    """Delete those of the named topics that exist; ``BrokerError`` names any left."""
    wanted = list(dict.fromkeys(names))
    async with _admin(settings) as admin:
        missing = set(await _missing_topics(admin, wanted))
        present = [name for name in wanted if name not in missing]
        if not present:
            return
        response = await admin.delete_topics(present)
    left = [
        f"{topic} ({for_code(code).__name__})"
        for topic, code, *_ in response.topic_error_codes
        if code not in (0, UnknownTopicOrPartitionError.errno)
    ]
    if left:
        raise BrokerError(f"could not delete {', '.join(left)}")


async def topic_partitions(settings: Settings, names: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the named topics, from the cluster's metadata; ``BrokerError``
    if one does not exist (never created by asking, as a plain metadata request would on a
    broker that auto-creates topics)."""
    wanted = list(dict.fromkeys(names))
    async with _admin(settings) as admin:
        missing = await _missing_topics(admin, wanted)
        if missing:
            raise BrokerError(_missing_message(settings, missing))
        described = await admin.describe_topics(wanted)
    for topic in described:
        if topic["error_code"]:
            msg = f"topic {topic['topic']}: {for_code(topic['error_code']).__name__}"
            raise BrokerError(msg)
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]


@asynccontextmanager
async def _admin(settings: Settings) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client, closed afterwards. A broker that cannot be reached (or
    refuses the credentials) is one ``BrokerError`` instead of aiokafka's error records."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    with _aiokafka_records() as records:
        try:
            await admin.start()
        except KafkaConnectionError as error:
            await admin.close()
            raise BrokerError(_unreachable_message(settings, error, records)) from None
        except BaseException:
            await admin.close()  # aiokafka leaves what a failed start opened
            raise
    try:
        yield admin
    finally:
        await admin.close()


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _aiokafka_records() -> Iterator[list[logging.LogRecord]]:
    """aiokafka's log records while an admin client connects, kept rather than printed: a
    failure is reported once, by the caller, with the cause they carry."""
    logger = logging.getLogger("aiokafka")
    records: list[logging.LogRecord] = []
    handler, propagate, level = _Keep(records), logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.WARNING)  # even where the caller silenced aiokafka (the demo)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        logger.setLevel(level)


def _unreachable_message(
    settings: Settings, error: KafkaError, records: list[logging.LogRecord]
) -> str:
    message = (
        f"cannot reach the Kafka broker at {settings.KAFKA_BOOTSTRAP_SERVERS} "
        f"(KAFKA_BOOTSTRAP_SERVERS): {type(error).__name__}"
    )
    # aiokafka logs why each bootstrap address failed: 'Unable connect to "%s:%s": %s'.
    causes = [r.args[-1] for r in records if isinstance(r.args, tuple) and len(r.args) == 3]
    return f"{message} ({causes[-1]})" if causes else message


def _missing_message(settings: Settings, missing: list[str]) -> str:
    by_topic = {getattr(settings, name): name for name in TOPIC_SETTINGS}
    named = ", ".join(
        f"{topic} ({by_topic[topic]})" if topic in by_topic else topic for topic in missing
    )
    noun, pronoun = ("topic", "it") if len(missing) == 1 else ("topics", "them")
    return (
        f"{noun} not found on {settings.KAFKA_BOOTSTRAP_SERVERS}: {named}; create {pronoun} "
        "first (on a dev broker: claimscrub topics --create)"
    )


async def _missing_topics(admin: AIOKafkaAdminClient, names: Iterable[str]) -> list[str]:
    # The list of all topics: asking for named ones would create them on a broker with
    # auto.create.topics.enable (aiokafka's metadata request allows it).
    existing = set(await admin.list_topics())
    return [name for name in dict.fromkeys(names) if name not in existing]


async def _brokers(admin: AIOKafkaAdminClient) -> None:
    deadline = time.monotonic() + SETTLE_S
    while not (await admin.describe_cluster())["brokers"] and time.monotonic() < deadline:
        await asyncio.sleep(0.2)


async def _coordinator(admin: AIOKafkaAdminClient, group_id: str) -> None:
    deadline = time.monotonic() + SETTLE_S
    while True:
        try:
            await admin.find_coordinator(group_id)
        except KafkaError:
            if time.monotonic() > deadline:
                return  # the consumer keeps trying by itself, as it always did
            await asyncio.sleep(0.2)
        else:
            return


async def _until_led(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """Wait until the topics (just created) have a leader for every partition."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        if not await _missing_topics(admin, names):
            described = await admin.describe_topics(names)
            if all(
                not topic["error_code"]
                and topic["partitions"]
                and all(partition["leader"] >= 0 for partition in topic["partitions"])
                for topic in described
            ):
                return
        await asyncio.sleep(0.1)


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
