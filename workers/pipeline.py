"""One message in, one routed result out: the single engine path of the worker and the CLI.

``route`` never raises for anything a message can contain: bytes that break the contract
become a ``claim.invalid/v1`` for the dead-letter topic, and so does a claim the engine
fails on (a bug in a rule), so one poisoned claim cannot stop the stream. It does no I/O
besides logging an engine failure, so the worker and ``claimscrub scrub`` give the same
answer for the same bytes.
"""

from __future__ import annotations

import traceback
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, Protocol

from contracts import (
    ClaimInvalid,
    ClaimScrubbed,
    ContractError,
    MessageSource,
    Outcome,
    Submission,
    decode_claim,
)
from workers.logging import get_logger

RoutedOutcome = Outcome | Literal["invalid"]

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
) -> Routed:
    """Decode, scrub and serialize one message. ``raw_key`` is the message's original
    Kafka key, kept on a dead letter (CONTRACT.md: "original key")."""
    decoded = decode_claim(raw)
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
    a trace id to find this log line, and the stack's file/line/function names do.
    """
    trace_id = uuid.uuid4().hex
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
