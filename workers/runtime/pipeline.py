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
from typing import Protocol

from claimscrub.contracts import (
    ClaimInvalid,
    ClaimScrubbed,
    ContractError,
    DeadLetterReason,
    Limits,
    MessageSource,
    Rejected,
    Severity,
    Submission,
    decode_claim,
)
from claimscrub.workers.observability.logging import get_logger
from claimscrub.workers.settings import RoutedOutcome, Topics

DEFAULT_LIMITS = Limits()

log = get_logger(__name__)


class ScrubEngine(Protocol):
    """What the pipeline needs of ``scrubbers.Engine`` (a fake stands in for it in tests)."""

    def scrub(self, submission: Submission, scrubbed_at: datetime) -> ClaimScrubbed: ...


@dataclass(frozen=True, slots=True)
class Routed:
    """A serialized result, where to publish it, and the event it serializes: what the
    pipeline knows travels with it (outcome, findings, reason), never read back from
    ``value``. ``revision`` is the claim's, kept also when a valid claim ended as a dead
    letter (an engine failure)."""

    topic: str
    key: bytes | None
    value: bytes
    event: ClaimScrubbed | ClaimInvalid
    revision: int | None = None

    @property
    def outcome(self) -> RoutedOutcome:
        return "invalid" if isinstance(self.event, ClaimInvalid) else self.event.outcome

    @property
    def claim_id(self) -> str | None:
        return self.event.claim_id

    @property
    def logged_claim_id(self) -> str | None:
        """The claim id for logs and traces: only a valid claim's. A rejected message's
        top-level ``claim_id`` (kept on its dead letter for ops) is whatever its producer
        wrote there, unchecked, maybe patient data."""
        return self.claim_id if self.revision is not None else None

    @property
    def reason(self) -> DeadLetterReason | None:
        """Why it is a dead letter; None for a scrubbed claim."""
        return self.event.reason if isinstance(self.event, ClaimInvalid) else None

    @property
    def findings(self) -> list[tuple[str, Severity]]:
        """Rule id and severity of each finding (none for a dead letter)."""
        if isinstance(self.event, ClaimInvalid):
            return []
        return [(finding.rule, finding.severity) for finding in self.event.findings]


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
    Kafka key, kept on a dead letter (docs/contract.md: "original key")."""
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
    if isinstance(decoded, Rejected):
        return _invalid(raw, source, decoded, now, topics=topics, raw_key=raw_key)
    claim = decoded.claim
    try:
        result = engine.scrub(decoded, scrubbed_at=now)
    except Exception as error:
        errors = [ContractError(path="", message=_engine_failure(error, claim.claim_id, source))]
        rejected = Rejected(DeadLetterReason.ENGINE_ERROR, errors, claim.claim_id)
        return _invalid(
            raw, source, rejected, now, topics=topics, raw_key=raw_key, revision=claim.revision
        )
    return Routed(
        topic=topics.for_outcome(result.outcome),
        key=result.claim_id.encode(),
        value=result.model_dump_json(by_alias=True).encode(),
        event=result,
        revision=result.revision,
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
    The claim id and revision stay with it for the log line."""
    limit = limits.result_bytes
    if isinstance(routed.event, ClaimInvalid):
        rejected = Rejected(routed.event.reason, routed.event.errors, routed.claim_id)
        dead = routed
    else:
        too_large = f"the result is {_size(routed)} bytes; the limit is {limit}"
        errors = [ContractError(path="", message=too_large)]
        rejected = Rejected(DeadLetterReason.RESULT_TOO_LARGE, errors, routed.claim_id)
        dead = _invalid(
            raw, source, rejected, now, topics=topics, raw_key=raw_key, revision=routed.revision
        )
    if _size(dead) > limit:
        omitted = ContractError(
            path="",
            message=(
                f"raw omitted: the dead letter would be {_size(dead)} bytes, over the limit "
                f"of {limit}; the message is at topic {source.topic} partition "
                f"{source.partition} offset {source.offset}"
            ),
        )
        # The source key and the claim id go too: both are the message's own text, possibly
        # as large (a rejected message's claim_id is unchecked).
        slim = source.model_copy(update={"key": None})
        slimmed = Rejected(rejected.reason, [*rejected.errors, omitted])
        dead = _invalid(
            b"", slim, slimmed, now, topics=topics, raw_key=raw_key, revision=routed.revision
        )
        if _size(dead) > limit:  # only the record's key is left to be too large
            dead = replace(dead, key=None)
    return dead


def _size(routed: Routed) -> int:
    return len(routed.value) + len(routed.key or b"")


def _invalid(
    raw: bytes,
    source: MessageSource,
    rejected: Rejected,
    now: datetime,
    *,
    topics: Topics,
    raw_key: bytes | None,
    revision: int | None = None,
) -> Routed:
    event = ClaimInvalid.for_message(
        raw,
        source,
        rejected.errors,
        received_at=now,
        reason=rejected.reason,
        claim_id=rejected.claim_id,
    )
    return Routed(
        topic=topics.invalid,
        key=raw_key,
        value=event.model_dump_json(by_alias=True).encode(),
        event=event,
        revision=revision,
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
