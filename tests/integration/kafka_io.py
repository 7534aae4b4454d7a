"""Test-side Kafka I/O with plain aiokafka clients: the PM system publishing claims, the
billing queues reading results, and the group's committed offsets. Deliberately not the
worker's own code, so the tests check the worker against Kafka, not against itself.

Every client connects with the worker's connection settings (``client_options``), so the
same helpers serve the SASL broker of the reliability tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code
from faststream.kafka import KafkaBroker

from claimscrub.workers.commands.kafka_admin import client_options
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.runtime.pipeline import ScrubEngine
from claimscrub.workers.settings import RoutedOutcome, Settings

INPUT_PARTITIONS = 3
RESULT_PARTITIONS = 2

# How a result names the input it is for: ("event", source event id) for a
# claim.scrubbed/v1, ("position", (partition, offset)) for a claim.invalid/v1.
InputName = tuple[str, Any]


@dataclass(frozen=True)
class Message:
    """One message as a PM system would send it."""

    value: bytes | None
    key: bytes | None = None
    headers: Sequence[tuple[str, bytes]] = ()


M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class Sent(Generic[M]):
    """A published message and where it landed."""

    message: M
    partition: int
    offset: int

    @cached_property
    def names(self) -> frozenset[InputName]:
        """Every name a result may give this input: its position, and its event id when
        the message is a JSON object with one."""
        names: set[InputName] = {("position", (self.partition, self.offset))}
        if (event_id := _event_id(self.message.value)) is not None:
            names.add(("event", event_id))
        return frozenset(names)


@dataclass(frozen=True)
class Result:
    """One record of a result topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: dict[str, str]
    document: dict[str, Any]

    @classmethod
    def of(cls, record: ConsumerRecord[bytes, bytes]) -> Result:
        headers = {key: value.decode() for key, value in record.headers}
        document = orjson.loads(record.value or b"")
        return cls(record.topic, record.partition, record.offset, record.key, headers, document)


def result_of(result: Result) -> InputName:
    """The name ``result`` gives its input (``InputName``)."""
    document = result.document
    if document["schema"] == "claim.scrubbed/v1":
        return ("event", document["source_event_id"])
    source = document["source"]
    return ("position", (source["partition"], source["offset"]))


def results_for(sent: Sent[Any], results: Sequence[Result]) -> list[Result]:
    return [result for result in results if result_of(result) in sent.names]


def missing(sent: Sequence[Sent[M]], results: Sequence[Result]) -> list[Sent[M]]:
    """The inputs no result names yet."""
    named = {result_of(result) for result in results}
    return [item for item in sent if not item.names & named]


async def create_topics(settings: Settings, **input_config: str) -> None:
    """Several partitions everywhere: keys spread, and commits and order are per partition.
    ``input_config`` are topic configs of the input topic (e.g. ``max.message.bytes``)."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        response = await admin.create_topics(
            [
                NewTopic(
                    settings.CLAIMSCRUB_TOPIC_SUBMITTED,
                    INPUT_PARTITIONS,
                    1,
                    topic_configs=input_config,
                ),
                *(NewTopic(topic, RESULT_PARTITIONS, 1) for topic in settings.topics().results),
            ]
        )
    finally:
        await admin.close()
    # aiokafka reports a refused topic in the response instead of raising.
    for topic, code, *_ in response.topic_errors:
        assert code == 0, f"creating topic {topic} failed: {for_code(code).__name__}"


async def publish(
    settings: Settings, messages: Sequence[M], per_second: float | None = None
) -> list[Sent[M]]:
    """Publish ``messages`` in order (all at once, or paced at ``per_second``) with an
    idempotent producer, and return where each landed once the broker acknowledged all.
    Paced publishing rides out a broker outage: sends wait in the producer meanwhile."""
    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        futures = []
        started = time.monotonic()
        for index, message in enumerate(messages):
            if per_second is not None:
                await asyncio.sleep(max(0.0, started + index / per_second - time.monotonic()))
            futures.append(
                await producer.send(
                    settings.CLAIMSCRUB_TOPIC_SUBMITTED,
                    message.value,
                    key=message.key,
                    headers=list(message.headers),
                )
            )
        metadata = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return [
        Sent(message, meta.partition, meta.offset)
        for message, meta in zip(messages, metadata, strict=True)
    ]


@dataclass
class ResultReader:
    """Reads the four result topics from the beginning, in the background, into
    ``results`` (in each partition's order)."""

    settings: Settings
    results: list[Result] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _last_arrival: float = field(default_factory=time.monotonic)

    async def __aenter__(self) -> ResultReader:
        consumer = AIOKafkaConsumer(
            *self.settings.topics().results,
            **client_options(self.settings),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            # Large dead letters (raw kept up to the result limit) in one fetch.
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        await consumer.start()
        self._task = asyncio.create_task(self._read(consumer))
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _read(self, consumer: AIOKafkaConsumer) -> None:
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    self.results.extend(Result.of(record) for record in records)
                    self._last_arrival = time.monotonic()
        finally:
            await consumer.stop()

    async def wait_until(
        self, done: Callable[[list[Result]], bool], timeout_s: float, what: str
    ) -> None:
        deadline = time.monotonic() + timeout_s
        while not done(self.results):
            if time.monotonic() > deadline:
                got = len(self.results)
                msg = f"timed out after {timeout_s}s waiting for {what} ({got} results)"
                raise TimeoutError(msg)
            await asyncio.sleep(0.05)

    async def linger(self, quiet_s: float) -> None:
        """Until nothing has arrived for ``quiet_s``: late duplicates would be seen."""
        while (quiet := time.monotonic() - self._last_arrival) < quiet_s:
            await asyncio.sleep(quiet_s - quiet)

    async def wait_for_all(
        self, sent: Sequence[Sent[Any]], timeout_s: float, linger_s: float = 2.0
    ) -> None:
        """Until every input has a result, then until ``linger_s`` pass without another."""
        await self.wait_until(
            lambda results: not missing(sent, results), timeout_s, f"{len(sent)} inputs' results"
        )
        await self.linger(linger_s)


async def read_results(
    settings: Settings, expected: int, timeout_s: float = 60.0, linger_s: float = 2.0
) -> list[Result]:
    """Every record on the result topics, once ``expected`` have arrived and nothing more
    came for ``linger_s``."""
    async with ResultReader(settings) as reader:
        await reader.wait_until(
            lambda results: len(results) >= expected, timeout_s, f"{expected} results"
        )
        await reader.linger(linger_s)
    return reader.results


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


Offsets = dict[TopicPartition, int]


async def wait_for_commits(settings: Settings, timeout_s: float = 30.0) -> tuple[Offsets, Offsets]:
    """(committed, end) offsets of the input topic's partitions for the worker's group,
    polled until they match or the timeout passes. A partition without a commit counts as
    0, which matches only an empty partition."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    consumer = AIOKafkaConsumer(**client_options(settings))
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
    sent: list[Sent[Message]]
    results: list[Result]
    committed: Offsets
    end: Offsets

    def results_for(self, sent: Sent[Message]) -> list[Result]:
        return results_for(sent, self.results)

    def topic_for(self, outcome: RoutedOutcome) -> str:
        return self.settings.topics().for_outcome(outcome)


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
    event_id = document.get("event_id") if isinstance(document, dict) else None
    return event_id if isinstance(event_id, str) else None
