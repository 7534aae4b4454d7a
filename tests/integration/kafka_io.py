"""Test-side Kafka I/O with plain aiokafka clients: the PM system publishing claims, the
billing queues reading results, and the group's committed offsets. Deliberately not the
worker's own code, so the tests check the worker against Kafka, not against itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker

from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.runtime.pipeline import ScrubEngine
from claimscrub.workers.settings import Settings

INPUT_PARTITIONS = 3
RESULT_PARTITIONS = 2


@dataclass(frozen=True)
class Message:
    """One message as a PM system would send it."""

    value: bytes | None
    key: bytes | None = None
    headers: Sequence[tuple[str, bytes]] = ()


@dataclass(frozen=True)
class Sent:
    message: Message
    partition: int
    offset: int


@dataclass
class Result:
    topic: str
    partition: int
    key: bytes | None
    value: bytes
    offset: int
    document: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.document = orjson.loads(self.value)


def bootstrap(settings: Settings) -> str:
    return settings.KAFKA_BOOTSTRAP_SERVERS


async def create_topics(settings: Settings) -> None:
    """Several partitions everywhere: keys spread, and commits and order are per partition."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap(settings))
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(settings.CLAIMSCRUB_TOPIC_SUBMITTED, INPUT_PARTITIONS, 1),
                *(NewTopic(topic, RESULT_PARTITIONS, 1) for topic in settings.result_topics()),
            ]
        )
    finally:
        await admin.close()


@asynccontextmanager
async def running_worker(
    settings: Settings, engine: ScrubEngine | None = None
) -> AsyncIterator[KafkaBroker]:
    """The real worker (FastStream broker + subscriber) in this test's event loop."""
    await create_topics(settings)
    broker = build_broker(settings, engine)
    async with broker:
        await broker.start()
        yield broker


async def publish(settings: Settings, messages: Sequence[Message]) -> list[Sent]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap(settings), acks="all")
    await producer.start()
    try:
        sent = []
        for message in messages:
            meta = await producer.send_and_wait(
                settings.CLAIMSCRUB_TOPIC_SUBMITTED,
                message.value,
                key=message.key,
                headers=list(message.headers),
            )
            sent.append(Sent(message, meta.partition, meta.offset))
        return sent
    finally:
        await producer.stop()


async def read_results(
    settings: Settings, expected: int, timeout_s: float = 60.0, linger_s: float = 2.0
) -> list[Result]:
    """Every record on the four result topics, once ``expected`` have arrived and nothing
    more came for ``linger_s`` (so a duplicate would be seen), or at the timeout."""
    consumer = AIOKafkaConsumer(
        *settings.result_topics(),
        bootstrap_servers=bootstrap(settings),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    results: list[Result] = []
    try:
        deadline = time.monotonic() + timeout_s
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=250)
            records: list[ConsumerRecord[bytes, bytes]] = [
                record for batch in batches.values() for record in batch
            ]
            if records:
                quiet_since = time.monotonic()
            results.extend(
                Result(r.topic, r.partition, r.key, r.value or b"", r.offset) for r in records
            )
            if len(results) >= expected and time.monotonic() - quiet_since >= linger_s:
                break
    finally:
        await consumer.stop()
    return results


Offsets = dict[TopicPartition, int]


async def wait_for_commits(settings: Settings, timeout_s: float = 30.0) -> tuple[Offsets, Offsets]:
    """(committed, end) offsets of the input topic's partitions for the worker's group,
    polled until they match or the timeout passes. A partition without a commit counts as
    0, which matches only an empty partition."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap(settings))
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap(settings))
    await admin.start()
    await consumer.start()
    try:
        partitions = [
            TopicPartition(settings.CLAIMSCRUB_TOPIC_SUBMITTED, p) for p in range(INPUT_PARTITIONS)
        ]
        end = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout_s
        while True:
            offsets = await admin.list_consumer_group_offsets(settings.CLAIMSCRUB_GROUP_ID)
            committed = {tp: offsets[tp].offset if tp in offsets else 0 for tp in partitions}
            if committed == end or time.monotonic() > deadline:
                return committed, end
            await asyncio.sleep(0.2)
    finally:
        await consumer.stop()
        await admin.close()


@dataclass
class Run:
    """One worker run: what was sent, every result that came back, and the commits."""

    settings: Settings
    sent: list[Sent]
    results: list[Result]
    committed: Offsets
    end: Offsets

    def results_for(self, sent: Sent) -> list[Result]:
        """Results of one input: a claim.scrubbed/v1 names its source event, a
        claim.invalid/v1 its source position."""
        event_id = _event_id(sent.message.value)
        return [
            result
            for result in self.results
            if (event_id is not None and result.document.get("source_event_id") == event_id)
            or (
                result.document.get("source", {}).get("partition") == sent.partition
                and result.document["source"].get("offset") == sent.offset
            )
        ]

    def topic_for(self, outcome: str) -> str:
        settings = self.settings
        return {
            "pass": settings.CLAIMSCRUB_TOPIC_PASS,
            "fix_suggested": settings.CLAIMSCRUB_TOPIC_FIX_SUGGESTED,
            "hold": settings.CLAIMSCRUB_TOPIC_HOLD,
            "invalid": settings.CLAIMSCRUB_TOPIC_INVALID,
        }[outcome]


async def scrub_through_kafka(
    settings: Settings, messages: Sequence[Message], engine: ScrubEngine | None = None
) -> Run:
    """Start the worker, publish ``messages``, read one result per message back."""
    async with running_worker(settings, engine):
        sent = await publish(settings, messages)
        results = await read_results(settings, expected=len(messages))
        committed, end = await wait_for_commits(settings)
    return Run(settings, sent, results, committed, end)


def _event_id(value: bytes | None) -> str | None:
    try:
        document = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return None
    return document.get("event_id") if isinstance(document, dict) else None
