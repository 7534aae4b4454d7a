"""Routing of the worker's batch handler with FastStream's in-memory TestKafkaBroker.

Fast feedback on which topic and key each result gets (sent to the in-memory broker by
``tests.in_memory.InMemorySender``); the proof against a real broker (commits, acks,
redelivery, the worker's own producer) is in tests/integration/.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings
from tests.golden import golden_claims
from tests.in_memory import InMemorySender

GOLDEN = golden_claims()
SETTINGS = Settings(KAFKA_BOOTSTRAP_SERVERS="in-memory:9092", CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S=0)


class Collected:
    """Result topics subscribed in the in-memory broker: (topic, key, document) in order."""

    def __init__(self, broker: KafkaBroker) -> None:
        self.records: list[tuple[str, bytes | None, dict[str, Any]]] = []
        for topic in SETTINGS.result_topics():
            broker.subscriber(topic)(self._collect)

    async def _collect(self, message: KafkaMessage) -> None:
        record = message.raw_message
        self.records.append((record.topic, record.key, orjson.loads(message.body)))  # type: ignore[union-attr]


@pytest.fixture
def broker() -> KafkaBroker:
    return build_broker(SETTINGS, sender=InMemorySender)


async def test_a_valid_claim_goes_to_its_outcome_topic_keyed_by_claim_id(
    broker: KafkaBroker,
) -> None:
    collected = Collected(broker)
    claim = GOLDEN["nat-medicare-clean"]
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(
            orjson.dumps(claim), SETTINGS.CLAIMSCRUB_TOPIC_SUBMITTED, key=b"x"
        )

    ((topic, key, document),) = collected.records
    assert topic in SETTINGS.outcome_topics().values()
    assert topic == SETTINGS.outcome_topics()[document["outcome"]]
    assert key == claim["claim_id"].encode()
    assert document["source_event_id"] == claim["event_id"]


@pytest.mark.parametrize(
    ("value", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"\xff\xfe", "text/plain"),
        (b"[1, 2]", None),
    ],
)
async def test_bad_bytes_go_to_the_dead_letter_topic_with_the_original_key(
    broker: KafkaBroker, value: bytes, content_type: str | None
) -> None:
    collected = Collected(broker)
    headers = {"content-type": content_type} if content_type else None
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(
            value, SETTINGS.CLAIMSCRUB_TOPIC_SUBMITTED, key=b"original", headers=headers
        )

    ((topic, key, document),) = collected.records
    assert (topic, key) == (SETTINGS.CLAIMSCRUB_TOPIC_INVALID, b"original")
    assert document["schema"] == "claim.invalid/v1"
    assert document["source"]["key"] == "original"
