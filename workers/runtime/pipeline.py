"""One message in, one routed result out: the single engine path of the worker and the CLI.

``route`` never raises for anything a message can contain: bytes that break the contract
become a ``claim.invalid/v1`` for the dead-letter topic, and so does a claim the engine
fails on (a bug in a rule), so one poisoned claim cannot stop the stream. It does no I/O
besides logging an engine failure, so the worker and ``claimscrub scrub`` give the same
answer for the same bytes, and a redelivered message the same result (apart from its
timestamp): even an engine failure's trace id is derived from the message's position.

Every result is also made to fit ``Limits.result_bytes``, the largest value the worker
publishes. A result the broker would refuse as too large fails on every attempt, so the
batch would be redone forever and its partition would stall; instead a scrubbed result that
is too large becomes a dead letter, and a dead letter that is too large (its ``raw`` is the
whole message, JSON-escaped) is published without ``raw``, with an error that says so and
where the message is. That is the one case where a dead letter does not carry the original
bytes: they stay on the input topic for its retention.
"""

from __future__ import annotations

import traceback
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, Protocol

from claimscrub.contracts import (
    ClaimInvalid,
    ClaimScrubbed,
    ContractError,
    MessageSource,
    Outcome,
    Submission,
    decode_claim,
)
from claimscrub.contracts.decode import MAX_MESSAGE_BYTES
from claimscrub.workers.observability.logging import get_logger

RoutedOutcome = Outcome | Literal["invalid"]

# Below the broker's default message.max.bytes (1,048,588 per record batch) with room for
# the key, headers and the batch overhead, so results fit a cluster with default limits.
MAX_RESULT_BYTES = 1_000_000

log = get_logger(__name__)


class ScrubEngine(Protocol):
    """What the pipeline needs of ``scrubbers.Engine`` (a fake stands in for it in tests)."""

    def scrub(self, submission: Submission, scrubbed_at: datetime) -> ClaimScrubbed: ...


@dataclass(frozen=True, slots=True)
class Topics:
    """Where each outcome goes; built from ``Settings`` by the worker, fixed by the CLI."""

    passed: str
    fix_suggested: str
    hold: str
    invalid: str

    def for_outcome(self, outcome: RoutedOutcome) -> str:
        return {
            "pass": self.passed,
            "fix_suggested": self.fix_suggested,
            "hold": self.hold,
            "invalid": self.invalid,
        }[outcome]


@dataclass(frozen=True, slots=True)
class Limits:
    """The largest message value the contract accepts, and the largest result value (plus
    key) the worker publishes; both in bytes."""

    message_bytes: int = MAX_MESSAGE_BYTES
    result_bytes: int = MAX_RESULT_BYTES


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Routed:
    """A serialized result and where to publish it.

    ``claim_id``, ``revision`` and ``rules`` are for the ``claim_scrubbed`` log line; they
    are None/empty for a message that never became a claim.
    """

    topic: str
    key: bytes | None
    value: bytes
    outcome: RoutedOutcome
    claim_id: str | None = None
    revision: int | None = None
    rules: tuple[str, ...] = ()


def route(
    raw: bytes,
    source: MessageSource,
    engine: ScrubEngine,
    now: datetime,
    *,
    topics: Topics,
    raw_key: bytes | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Routed:
    """Decode, scrub and serialize one message. ``raw_key`` is the message's original
    Kafka key, kept on a dead letter (CONTRACT.md: "original key")."""
    routed = _route(raw, source, engine, now, topics=topics, raw_key=raw_key, limits=limits)
    if _size(routed) <= limits.result_bytes:
        return routed
    return _oversized(routed, raw, source, now, topics=topics, raw_key=raw_key, limits=limits)


def _route(
    raw: bytes,
    source: MessageSource,
    engine: ScrubEngine,
    now: datetime,
    *,
    topics: Topics,
    raw_key: bytes | None,
    limits: Limits,
) -> Routed:
    decoded = decode_claim(raw, max_bytes=limits.message_bytes)
    if isinstance(decoded, list):
        return _invalid(raw, source, decoded, now, topics=topics, raw_key=raw_key)
    claim = decoded.claim
    try:
        result = engine.scrub(decoded, scrubbed_at=now)
    except Exception as error:
        errors = [ContractError(path="", message=_engine_failure(error, claim.claim_id, source))]
        routed = _invalid(raw, source, errors, now, topics=topics, raw_key=raw_key)
        return replace(routed, claim_id=claim.claim_id, revision=claim.revision)
    return Routed(
        topic=topics.for_outcome(result.outcome),
        key=result.claim_id.encode(),
        value=result.model_dump_json(by_alias=True).encode(),
        outcome=result.outcome,
        claim_id=result.claim_id,
        revision=result.revision,
        rules=tuple(finding.rule for finding in result.findings),
    )


def _oversized(
    routed: Routed,
    raw: bytes,
    source: MessageSource,
    now: datetime,
    *,
    topics: Topics,
    raw_key: bytes | None,
    limits: Limits,
) -> Routed:
    """A dead letter within ``limits.result_bytes`` for a result that is not (module doc).
    The claim id and revision stay on the ``Routed`` for the log line."""
    limit = limits.result_bytes
    if routed.outcome == "invalid":
        errors = ClaimInvalid.model_validate_json(routed.value).errors
        dead = routed
    else:
        too_large = f"the result is {_size(routed)} bytes; the limit is {limit}"
        errors = [ContractError(path="", message=too_large)]
        dead = _invalid(raw, source, errors, now, topics=topics, raw_key=raw_key)
    if _size(dead) > limit:
        omitted = ContractError(
            path="",
            message=(
                f"raw omitted: the dead letter would be {_size(dead)} bytes, over the limit "
                f"of {limit}; the message is at topic {source.topic} partition "
                f"{source.partition} offset {source.offset}"
            ),
        )
        # The source key goes too: it is the message's own key, possibly as large.
        slim = source.model_copy(update={"key": None})
        dead = _invalid(b"", slim, [*errors, omitted], now, topics=topics, raw_key=raw_key)
    return replace(dead, claim_id=routed.claim_id, revision=routed.revision)


def _size(routed: Routed) -> int:
    return len(routed.value) + len(routed.key or b"")


def _invalid(
    raw: bytes,
    source: MessageSource,
    errors: list[ContractError],
    now: datetime,
    *,
    topics: Topics,
    raw_key: bytes | None,
) -> Routed:
    event = ClaimInvalid.for_message(raw, source, errors, received_at=now)
    return Routed(
        topic=topics.invalid,
        key=raw_key,
        value=event.model_dump_json(by_alias=True).encode(),
        outcome="invalid",
    )


def _engine_failure(error: Exception, claim_id: str, source: MessageSource) -> str:
    """Log an engine failure for a developer and return the dead-letter error text.

    Neither carries the exception's message, which may quote claim data (PHI): the type,
    a trace id to find this log line, and the stack's file/line/function names do. The
    trace id is the message's derived event id, so a redelivery yields the same dead
    letter and every attempt's log line shares it.
    """
    trace_id = uuid.UUID(source.derived_event_id()).hex
    frames = [
        f"{frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
    ]
    log.error(
        "engine_error",
        trace_id=trace_id,
        error_type=type(error).__name__,
        claim_id=claim_id,
        topic=source.topic,
        partition=source.partition,
        offset=source.offset,
        frames=frames,
    )
    return f"engine error: {type(error).__name__}; trace id {trace_id}"
