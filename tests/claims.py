"""Claim documents for tests: a valid natalizumab claim to start from, and ways to run it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from claimscrub.contracts import ClaimScrubbed, Submission, validate_claim
from claimscrub.scrubbers import default_engine
from claimscrub.scrubbers.context import ClaimContext
from claimscrub.scrubbers.findings import Flag

NOW = datetime(2026, 11, 3, 14, 5, tzinfo=UTC)

_BASE: dict[str, Any] = {
    "schema": "claim.submitted/v1",
    "event_id": "00000000-0000-0000-0000-00000000test",
    "claim_id": "CLM-TEST-1",
    "revision": 1,
    "submitted_at": "2026-11-03T14:05:00Z",
    "claim_type": "professional",
    "payer": {"id": "MCR-JF", "plan_type": "medicare"},
    "patient": {"member_id": "M0", "birth_date": "1979-03-14", "sex": "F"},
    "billing_provider": {"npi": "1234567893"},
    "place_of_service": "11",
    "diagnoses": ["G35.A"],
    "attestations": ["rems_enrolled"],
    "lines": [],
}


def drug_line(  # noqa: PLR0917 - tests read best with positional defaults
    number: int = 1,
    hcpcs: str = "J2323",
    units: float = 300,
    modifiers: list[str] | None = None,
    charge: str = "7380.00",
    service_date: str = "2026-11-02",
    **drug: Any,
) -> dict[str, Any]:
    """A line; ``drug`` fields default to 300 mg natalizumab with nothing discarded."""
    details = {
        "name": "natalizumab",
        "ndc": "64406-0008-01",
        "administered": 300,
        "discarded": 0,
        "dose_unit": "mg",
    }
    details.update(drug)
    return {
        "number": number,
        "hcpcs": hcpcs,
        "modifiers": ["JZ"] if modifiers is None else modifiers,
        "units": units,
        "charge": charge,
        "service_date": service_date,
        "diagnosis_pointers": [1],
        "drug": {key: value for key, value in details.items() if value is not None},
    }


def elosulfase_line(number: int = 1, **overrides: Any) -> dict[str, Any]:
    """J1322 46 mg from ten 5 mg vials, 4 mg discarded: the waste example of DRUGS.md."""
    fields: dict[str, Any] = {
        "hcpcs": "J1322",
        "units": 46,
        "name": "elosulfase alfa",
        "ndc": None,
        "charge": "1840.00",
        "administered": 46,
        "discarded": 4,
        "modifiers": [],
    }
    fields.update(overrides)
    return drug_line(number, **fields)


def office_visit_line(number: int = 1) -> dict[str, Any]:
    """An E/M line with modifier 25: not a drug line."""
    return {
        "number": number,
        "hcpcs": "99214",
        "modifiers": ["25"],
        "units": 1,
        "charge": "152.00",
        "service_date": "2026-11-02",
        "diagnosis_pointers": [1],
    }


def claim(*lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    document = copy.deepcopy(_BASE)
    document["lines"] = list(lines) or [drug_line()]
    document.update(fields)
    return document


def submission(document: dict[str, Any]) -> Submission:
    checked = validate_claim(document)
    assert isinstance(checked, Submission), checked
    return checked


def scrub(document: dict[str, Any]) -> ClaimScrubbed:
    return default_engine().scrub(submission(document), NOW)


def flags(document: dict[str, Any], check: Any) -> list[Flag]:
    """One check over one round, without the engine's fixpoint."""
    context = ClaimContext(submission(document).claim, default_engine().reference)
    return list(check(context))


def rules(result: ClaimScrubbed, severity: str | None = None) -> list[str]:
    return [f.rule for f in result.findings if severity is None or f.severity == severity]
