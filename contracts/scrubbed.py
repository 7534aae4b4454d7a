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


# What the worker writes is true by construction, so the output models state their shapes
# for consumers in the JSON Schema only (``json_schema_extra``) and validate nothing more.
_UUID: dict[str, Any] = {"format": "uuid"}


class Finding(BaseModel):
    """One thing a rule found on the claim (the rules: docs/rules.md)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
    )

    rule: str = Field(
        description="the rule's stable id, e.g. `MOD.JZ_MISSING` (also in metrics and logs)",
        json_schema_extra={"pattern": r"^[A-Z]+\.[A-Z0-9_]+$"},
    )
    severity: Severity = Field(
        description="`fix`: a correction the engine made in `corrected_claim`; `hold`: a "
        "person must act; `info`: worth knowing, no effect on the outcome"
    )
    line: int | None = Field(
        description="the claim's lines[].number, or null for the claim",
        json_schema_extra={"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
    )
    message: str = Field(
        description="what is wrong and, for a fix, what was changed, in English; never "
        "quotes patient data"
    )
    reference: str = Field(description="the policy the finding rests on")


def outcome_of(findings: list[Finding]) -> Outcome:
    """hold beats fix; info never changes the outcome (docs/contract.md)."""
    severities = {finding.severity for finding in findings}
    if "hold" in severities:
        return "hold"
    if "fix" in severities:
        return "fix_suggested"
    return "pass"


_PATCH_OPERATION: dict[str, Any] = {
    "type": "object",
    "description": "one RFC 6902 operation; the worker writes `add`, `remove` and `replace`",
    "properties": {
        "op": {
            "description": "the operation",
            "enum": ["add", "remove", "replace", "move", "copy", "test"],
        },
        "path": {"description": "RFC 6901 JSON Pointer into the claim", "type": "string"},
        "from": {"description": "source pointer of `move` and `copy`", "type": "string"},
        "value": {"description": "the value `add`, `replace` or `test` uses"},
    },
    "required": ["op", "path"],
}


class ClaimScrubbed(BaseModel):
    """The result of scrubbing one valid claim."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, json_schema_serialization_defaults_required=True
    )

    schema_: Literal["claim.scrubbed/v1"] = Field(
        "claim.scrubbed/v1", alias="schema", description="the event type"
    )
    event_id: str = Field(
        description="UUID v5 of `source_event_id` and `ruleset`: a redelivered claim gives "
        "the same id (deduplicate on it); a new ruleset gives a new one",
        json_schema_extra=_UUID,
    )
    source_event_id: str = Field(description="the submitted claim's `event_id`")
    claim_id: str = Field(
        description="the submitted claim's `claim_id` (also the result's Kafka key)",
        json_schema_extra={"minLength": 1, "maxLength": 38},
    )
    revision: int = Field(
        description="the submitted claim's `revision`", json_schema_extra={"minimum": 1}
    )
    outcome: Outcome = Field(
        description="`hold` if any finding is a hold; else `fix_suggested` if any is a fix; "
        "else `pass`. It names the topic the result is published to"
    )
    findings: list[Finding] = Field(
        description="every finding: each fix made, and the holds and infos on the corrected "
        "claim; ordered by line (claim-level first), then by the rule catalog's order"
    )
    corrected_claim: dict[str, Any] | None = Field(
        None,
        description="the submitted claim with every fix applied (unknown fields kept); null "
        "when there is no fix finding",
    )
    patch: list[dict[str, Any]] | None = Field(
        None,
        description="RFC 6902 JSON Patch from the submitted claim to corrected_claim; null "
        "when there is no fix finding",
        json_schema_extra={
            "anyOf": [{"type": "array", "items": _PATCH_OPERATION}, {"type": "null"}]
        },
    )
    ruleset: str = Field(
        description="the rules and reference data that judged the claim: the rule catalog's "
        "version, `+`, the quarter of each loaded CMS table and the first 8 hex digits of a "
        "SHA-256 over all reference data (e.g. `2026.11.1+asp2025q4.hcpcs2025q3.6c38ee13`); "
        "it changes with any rule or data change"
    )
    scrubbed_at: datetime = Field(description="when the worker scrubbed the claim")
