"""``claim.scrubbed/v1``: the result the workers publish for every valid claim."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["fix", "hold", "info"]
Outcome = Literal["pass", "fix_suggested", "hold"]

# Results are keyed to their source event by UUID v5, so a redelivered claim yields the
# same result id and consumers can deduplicate on it.
EVENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:claimscrub:events")


_NAMESPACE_BYTES = EVENT_NAMESPACE.bytes


def derived_event_id(*parts: object) -> str:
    """``uuid.uuid5(EVENT_NAMESPACE, "/".join(parts))``, without the import and the namespace
    conversion ``uuid5`` repeats on every call (a third of its time, once per claim)."""
    name = "/".join(str(part) for part in parts)
    digest = hashlib.sha1(_NAMESPACE_BYTES + name.encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    severity: Severity
    line: int | None = Field(description="the claim's lines[].number, or null for the claim")
    message: str
    reference: str


def outcome_of(findings: list[Finding]) -> Outcome:
    """hold beats fix; info never changes the outcome (CONTRACT.md)."""
    severities = {finding.severity for finding in findings}
    if "hold" in severities:
        return "hold"
    if "fix" in severities:
        return "fix_suggested"
    return "pass"


class ClaimScrubbed(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["claim.scrubbed/v1"] = Field("claim.scrubbed/v1", alias="schema")
    event_id: str
    source_event_id: str
    claim_id: str
    revision: int
    outcome: Outcome
    findings: list[Finding]
    corrected_claim: dict[str, Any] | None = Field(
        None, description="the submitted claim with every fix applied; null without fixes"
    )
    patch: list[dict[str, Any]] | None = Field(
        None, description="RFC 6902 patch from the submitted claim to corrected_claim"
    )
    ruleset: str
    scrubbed_at: datetime
