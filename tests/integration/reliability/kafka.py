"""Kafka from the test's side for the reliability tests: topics, a publisher, and a results
reader that runs in the background while workers and brokers come and go.

Plain aiokafka clients with the worker's connection settings (``client_options``), so the
same helpers work on the SASL broker; never the worker's own code paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from claimscrub.workers.commands.topics import client_options, ensure_topics
from claimscrub.workers.settings import Settings
from tests.integration.reliability.claims import Input

INPUT_PARTITIONS = 3
RESULT_PARTITIONS = 2


async def create_topics(settings: Settings, **input_config: str) -> None:
    """The input topic with three partitions (``input_config`` as its topic configs, e.g.
    ``max.message.bytes``), the result topics with two."""
    if input_config:
        from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # noqa: PLC0415

        admin = AIOKafkaAdminClient(**client_options(settings))
        await admin.start()
        try:
            topic = NewTopic(
                settings.CLAIMSCRUB_TOPIC_SUBMITTED,
                INPUT_PARTITIONS,
                1,
                topic_configs=input_config,
            )
            await admin.create_topics([topic])
        finally:
            await admin.close()
    else:
        await ensure_topics(settings, [settings.CLAIMSCRUB_TOPIC_SUBMITTED], INPUT_PARTITIONS)
    await ensure_topics(settings, settings.result_topics(), RESULT_PARTITIONS)


@dataclass(frozen=True)
class Sent:
    input: Input
    partition: int
    offset: int


async def publish(
    settings: Settings,
    inputs: Sequence[Input],
    per_second: float | None = None,
    **producer_options: Any,
) -> list[Sent]:
    """Publish ``inputs`` in order (all at once, or paced at ``per_second``) with an
    idempotent producer, and return where each landed once the broker acknowledged all.
    Paced publishing rides out a broker outage: sends wait in the producer meanwhile."""
    producer = AIOKafkaProducer(
        **client_options(settings), acks="all", enable_idempotence=True, **producer_options
    )
    await producer.start()
    try:
        futures = []
        started = time.monotonic()
        for index, item in enumerate(inputs):
            if per_second is not None:
                await asyncio.sleep(max(0.0, started + index / per_second - time.monotonic()))
            futures.append(
                await producer.send(settings.CLAIMSCRUB_TOPIC_SUBMITTED, item.value, key=item.key)
            )
        metadata = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return [
        Sent(item, meta.partition, meta.offset) for item, meta in zip(inputs, metadata, strict=True)
    ]


@dataclass
class Result:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    document: dict[str, Any]


@dataclass
class ResultReader:
    """Reads the four result topics from the beginning, in the background, into
    ``results`` (in each partition's order)."""

    settings: Settings
    results: list[Result] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ResultReader:
        consumer = AIOKafkaConsumer(
            *self.settings.result_topics(),
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
                    self.results.extend(
                        Result(r.topic, r.partition, r.offset, r.key, orjson.loads(r.value or b""))
                        for r in records
                    )
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

    async def wait_for_all(
        self, sent: Sequence[Sent], timeout_s: float, linger_s: float = 2.0
    ) -> None:
        """Until every input has a result, then ``linger_s`` more (late duplicates)."""
        await self.wait_until(
            lambda results: not missing(sent, results), timeout_s, f"{len(sent)} inputs' results"
        )
        await asyncio.sleep(linger_s)


def result_of(result: Result) -> tuple[str, Any]:
    """What identifies the input a result is for: the source event id of a scrubbed claim,
    the source position of a dead letter."""
    document = result.document
    if document["schema"] == "claim.scrubbed/v1":
        return ("event", document["source_event_id"])
    source = document["source"]
    return ("position", (source["partition"], source["offset"]))


def input_of(sent: Sent) -> tuple[str, Any]:
    if sent.input.expected != "invalid":
        assert sent.input.event_id is not None
        return ("event", sent.input.event_id)
    return ("position", (sent.partition, sent.offset))


def missing(sent: Sequence[Sent], results: Sequence[Result]) -> list[Sent]:
    have = {result_of(result) for result in results}
    return [item for item in sent if input_of(item) not in have]
