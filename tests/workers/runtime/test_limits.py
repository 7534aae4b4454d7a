"""workers.pipeline size limits and redelivery determinism, without a broker: a message
over the limit is a dead letter; a result over the limit becomes one that fits, without
``raw`` only when even the dead letter is too large; the same message gives the same
result every time, an engine failure's trace id included."""

from __future__ import annotations

from datetime import timedelta

import orjson

from claimscrub.workers.runtime.pipeline import route
from claimscrub.workers.settings import Limits, Settings
from tests.claims import NOW, claim, line
from tests.golden import golden_claims
from tests.workers.routing import ENGINE, SOURCE, TOPICS, Exploding

CLAIM = golden_claims()["nat-medicare-clean"]


def _errors(value: bytes) -> list[str]:
    return [error["message"] for error in orjson.loads(value)["errors"]]


def test_a_message_over_the_limit_is_dead_lettered_with_its_bytes() -> None:
    raw = orjson.dumps({**CLAIM, "note": "x" * 5_000})
    routed = route(raw, SOURCE, ENGINE, NOW, topics=TOPICS, limits=Limits(message_bytes=5_000))
    assert routed.topic == "i"
    assert _errors(routed.value) == [f"message is {len(raw)} bytes; the limit is 5000"]
    assert orjson.loads(routed.value)["raw"].encode() == raw


def test_a_result_over_the_limit_becomes_a_dead_letter_that_fits() -> None:
    """Fifty lines missing JZ: fifty findings and a patch make the result larger than
    the claim, so a limit between the two sizes turns it into a dead letter with raw."""
    raw = orjson.dumps(claim(*(line(n, modifiers=[]) for n in range(1, 51))))
    result = route(raw, SOURCE, ENGINE, NOW, topics=TOPICS)
    dead_letter = route(raw, SOURCE, Exploding(), NOW, topics=TOPICS)
    assert result.outcome != "invalid"
    assert len(result.value) > len(dead_letter.value) + 1_000
    limit = (len(result.value) + len(dead_letter.value)) // 2

    routed = route(
        raw, SOURCE, ENGINE, NOW, topics=TOPICS, raw_key=b"k", limits=Limits(result_bytes=limit)
    )
    assert (routed.topic, routed.key, routed.outcome) == ("i", b"k", "invalid")
    assert (routed.claim_id, routed.revision) == (result.claim_id, result.revision)
    assert _errors(routed.value) == [
        f"the result is {len(result.value) + len(result.key or b'')} bytes; the limit is {limit}"
    ]
    assert orjson.loads(routed.value)["raw"].encode() == raw
    assert len(routed.value) + 1 <= limit


def test_a_dead_letter_over_the_limit_goes_without_raw_and_says_where_it_is() -> None:
    raw = b'{"a": "' + b"\x01" * 15_000 + b'"}'  # escaped six-fold in the dead letter
    limits = Limits(message_bytes=100_000, result_bytes=20_000)
    routed = route(raw, SOURCE, ENGINE, NOW, topics=TOPICS, raw_key=b"k", limits=limits)
    document = orjson.loads(routed.value)
    assert (routed.topic, routed.key) == ("i", b"k")
    assert document["raw"] == ""
    assert document["source"] == {**SOURCE.model_dump(), "key": None}
    assert document["event_id"] == SOURCE.derived_event_id()
    *reasons, omitted = _errors(routed.value)
    assert reasons, "the contract's reasons stay"
    assert omitted.startswith("raw omitted: the dead letter would be ")
    assert omitted.endswith("the message is at topic claims.submitted partition 2 offset 41")
    assert len(routed.value) + len(routed.key or b"") <= 20_000


def test_a_redelivered_message_gives_the_same_result_but_its_timestamp() -> None:
    later = NOW + timedelta(minutes=5)
    for raw, engine in ((orjson.dumps(CLAIM), ENGINE), (orjson.dumps(CLAIM), Exploding())):
        first, again = (
            orjson.loads(route(raw, SOURCE, engine, now, topics=TOPICS).value)
            for now in (NOW, later)
        )
        for document in (first, again):
            document.pop("scrubbed_at", None)
            document.pop("received_at", None)
        assert first == again


def test_the_limits_come_from_the_environment() -> None:
    settings = Settings(CLAIMSCRUB_MAX_MESSAGE_BYTES=123, CLAIMSCRUB_MAX_RESULT_BYTES=45_678)
    assert (settings.CLAIMSCRUB_MAX_MESSAGE_BYTES, settings.CLAIMSCRUB_MAX_RESULT_BYTES) == (
        123,
        45_678,
    )
    defaults = Settings()
    assert Limits() == Limits(
        defaults.CLAIMSCRUB_MAX_MESSAGE_BYTES, defaults.CLAIMSCRUB_MAX_RESULT_BYTES
    )


def test_a_huge_claim_id_on_a_rejected_message_does_not_push_its_dead_letter_over() -> None:
    raw = orjson.dumps({"claim_id": "x" * 200_000})
    routed = route(raw, SOURCE, ENGINE, NOW, topics=TOPICS, limits=Limits(result_bytes=100_000))
    assert len(routed.value) + len(routed.key or b"") <= 100_000
    assert "claim_id" not in orjson.loads(routed.value)


def test_only_a_valid_claims_id_is_named_in_logs_and_traces() -> None:
    rejected = route(
        orjson.dumps({"claim_id": "Ana Diaz 1979-03-14"}), SOURCE, ENGINE, NOW, topics=TOPICS
    )
    assert rejected.claim_id == "Ana Diaz 1979-03-14"  # on the dead letter, for ops
    assert rejected.logged_claim_id is None
    failed = route(orjson.dumps(CLAIM), SOURCE, Exploding(), NOW, topics=TOPICS)
    assert failed.logged_claim_id == CLAIM["claim_id"]  # a valid claim the engine failed on
