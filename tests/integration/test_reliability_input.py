"""Hostile input against the real worker and broker: every malformed message hypothesis
can think of ends as a dead letter for exactly its Kafka position, with the reason and
(unless it is too large to carry) the original bytes, and the worker keeps scrubbing."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from hypothesis import HealthCheck, event, given, settings

from claimscrub.workers.commands.kafka_admin import client_options
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings
from tests.conftest import SettingsFactory
from tests.integration.kafka_io import Result, ResultReader, create_topics, result_of
from tests.integration.reliability.malformed import KINDS, VALID, Malformed, malformed

pytestmark = pytest.mark.integration

# Small limits, so oversized messages and dead letters too large to carry ``raw`` are
# cheap to make; the code paths are the same as at the 1 MB defaults.
MESSAGE_LIMIT = 20_000
RESULT_LIMIT = 30_000


@dataclass
class Rig:
    settings: Settings
    reader: ResultReader
    producer: AIOKafkaProducer
    kinds: set[str] = field(default_factory=set)

    async def send(self, value: bytes, key: bytes | None) -> Result:
        """Publish one message and return the result for its position."""
        topic = self.settings.CLAIMSCRUB_TOPIC_SUBMITTED
        meta = await self.producer.send_and_wait(topic, value, key=key)
        name = ("position", (meta.partition, meta.offset))

        def found(results: list[Result]) -> bool:
            return any(result_of(result) == name for result in results)

        await self.reader.wait_until(found, 30, f"the result for {name}")
        (result,) = [r for r in self.reader.results if result_of(r) == name]
        return result


@pytest.fixture(scope="module")
async def rig(make_settings: SettingsFactory) -> AsyncIterator[Rig]:
    settings = make_settings(
        CLAIMSCRUB_MAX_MESSAGE_BYTES=MESSAGE_LIMIT, CLAIMSCRUB_MAX_RESULT_BYTES=RESULT_LIMIT
    )
    # The broker's own limit (1 MB by default) stays above the worker's.
    await create_topics(settings)
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    await producer.start()
    try:
        async with ResultReader(settings) as reader, build_broker(settings) as broker:
            await broker.start()
            yield Rig(settings, reader, producer)
    finally:
        await producer.stop()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(message=malformed(MESSAGE_LIMIT))
async def test_every_malformed_message_is_dead_lettered(rig: Rig, message: Malformed) -> None:
    rig.kinds.add(message.kind)
    event(message.kind)
    result = await rig.send(message.value, message.key)

    document = result.document
    assert result.topic == rig.settings.CLAIMSCRUB_TOPIC_INVALID, (message.kind, document)
    assert document["schema"] == "claim.invalid/v1"
    assert document["errors"], "a dead letter says why"
    assert result.key == message.key
    assert len(orjson.dumps(document)) + len(result.key or b"") <= RESULT_LIMIT
    omitted = [e for e in document["errors"] if e["message"].startswith("raw omitted:")]
    event("raw omitted" if omitted else "raw kept")
    if omitted:
        assert document["raw"] == ""
        assert len(message.value) > MESSAGE_LIMIT // 2, message.kind
    elif document["raw_encoding"] == "base64":
        assert base64.b64decode(document["raw"]) == message.value
    else:
        assert document["raw"].encode() == message.value


async def test_the_worker_still_scrubs_after_the_fuzzing(rig: Rig) -> None:
    assert rig.kinds == set(KINDS), "the fuzz test ran first, with every kind"
    claim = {**VALID[0], "event_id": f"after-fuzz-{time.time_ns()}"}
    before = len(rig.reader.results)
    await rig.producer.send_and_wait(
        rig.settings.CLAIMSCRUB_TOPIC_SUBMITTED, orjson.dumps(claim), key=b"after"
    )
    await rig.reader.wait_until(
        lambda results: any(
            r.document.get("source_event_id") == claim["event_id"] for r in results[before:]
        ),
        30,
        "the valid claim's result",
    )
