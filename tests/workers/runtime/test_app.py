"""Routing of the worker's batch handler with FastStream's in-memory TestKafkaBroker.

Fast feedback on which topic and key each result gets (sent to the in-memory broker by
``tests.in_memory.InMemorySender``); the proof against a real broker (commits, acks,
redelivery, the worker's own producer) is in tests/integration/.
"""

from __future__ import annotations

import orjson
import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings
from tests.golden import golden_claims
from tests.in_memory import InMemorySender, ResultTopics

GOLDEN = golden_claims()
SETTINGS = Settings(KAFKA_BOOTSTRAP_SERVERS="in-memory:9092", CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S=0)


@pytest.fixture
def broker() -> KafkaBroker:
    return build_broker(SETTINGS, sender=InMemorySender)


async def test_a_valid_claim_goes_to_its_outcome_topic_keyed_by_claim_id(
    broker: KafkaBroker,
) -> None:
    collected = ResultTopics(broker, SETTINGS)
    claim = GOLDEN["nat-medicare-clean"]
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(
            orjson.dumps(claim), SETTINGS.CLAIMSCRUB_TOPIC_SUBMITTED, key=b"x"
        )

    (result,) = collected.results
    assert result.topic in SETTINGS.topics().outcomes.values()
    assert result.topic == SETTINGS.topics().outcomes[result.document["outcome"]]
    assert result.key == claim["claim_id"].encode()
    assert result.document["source_event_id"] == claim["event_id"]


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
    collected = ResultTopics(broker, SETTINGS)
    headers = {"content-type": content_type} if content_type else None
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(
            value, SETTINGS.CLAIMSCRUB_TOPIC_SUBMITTED, key=b"original", headers=headers
        )

    (result,) = collected.results
    assert (result.topic, result.key) == (SETTINGS.CLAIMSCRUB_TOPIC_INVALID, b"original")
    assert result.document["schema"] == "claim.invalid/v1"
    assert result.document["source"]["key"] == "original"
