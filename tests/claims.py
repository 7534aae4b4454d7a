"""Claim documents for tests, and ways to run them.

Every claim starts from the golden case "nat-medicare-clean" (Medicare, POS 11, G35.A,
REMS attested, one J2323 line: 300 mg natalizumab, JZ, nothing discarded) and changes only
what its test is about. ``scrub`` runs the whole engine; ``flags`` runs one check over one
round (no engine fixpoint), so a rule test sees exactly what that check says about a claim.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from claimscrub.contracts import ClaimScrubbed, Finding, Submission, validate_claim
from claimscrub.scrubbers import default_engine
from claimscrub.scrubbers.context import ClaimContext
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.reference import Reference, load_reference
from tests.golden import golden_claims

NOW = datetime(2026, 11, 3, 14, 5, tzinfo=UTC)
Check = Callable[[ClaimContext], Iterable[Flag]]
# What the base claim says about the patient: no finding's message may repeat it.
PATIENT_DATA = ("M000000001", "Ana", "Diaz", "1979-03-14")


@cache
def _golden_base() -> str:
    # Kept as JSON text: every claim() parses its own copy, which its test may change.
    return json.dumps(golden_claims()["nat-medicare-clean"])


@cache
def reference() -> Reference:
    return load_reference()


def claim(*lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The base claim with ``lines`` (when given) and ``fields`` in place of its own."""
    document: dict[str, Any] = json.loads(_golden_base())
    if lines:
        document["lines"] = list(lines)
    document.update(copy.deepcopy(fields))
    return document


def commercial(*lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The base claim on a commercial plan with a 300-unit J2323 authorization."""
    plan = {"payer": {"id": "COM-1", "plan_type": "commercial"}, "prior_authorizations": [auth()]}
    return claim(*lines, **{**plan, **fields})


def auth(
    number: str = "PA-778812",
    hcpcs: tuple[str, ...] = ("J2323",),
    units: float | None = 300,
    start: str = "2026-09-01",
    end: str = "2027-02-28",
) -> dict[str, Any]:
    found: dict[str, Any] = {"number": number, "hcpcs": list(hcpcs), "start": start, "end": end}
    if units is not None:
        found["units"] = units
    return found


def line(number: int = 1, *, drug: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """The base claim's line numbered ``number``, with ``fields`` in place of its own;
    ``drug`` merges into its drug, where a None value drops that field."""
    found: dict[str, Any] = json.loads(_golden_base())["lines"][0]
    found.update(number=number, **copy.deepcopy(fields))
    merged = {**found["drug"], **(drug or {})}
    found["drug"] = {key: value for key, value in merged.items() if value is not None}
    return found


def waste_line(
    number: int, units: float = 10, *, drug: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A JW line of the base drug: nothing administered, ``units`` discarded."""
    waste = {"modifiers": ["JW"], "units": units, "charge": "246.00", **fields}
    return line(number, drug={"administered": 0, "discarded": units, **(drug or {})}, **waste)


def elosulfase_line(
    number: int = 1, *, drug: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """J1322 46 mg from ten 5 mg vials, 4 mg discarded: the waste example of DRUGS.md."""
    elosulfase = {"hcpcs": "J1322", "units": 46, "charge": "1840.00", "modifiers": [], **fields}
    given = {
        "name": "elosulfase alfa",
        # No NDC, so none of the base line's NDC quantity either.
        "ndc": None,
        "ndc_quantity": None,
        "ndc_unit": None,
        "administered": 46,
        "discarded": 4,
        **(drug or {}),
    }
    return line(number, drug=given, **elosulfase)


def naltrexone_line(number: int = 1, **fields: Any) -> dict[str, Any]:
    """J2315 380 mg naltrexone, with its NDC: authorized on commercial plans only."""
    given = {"name": "naltrexone", "ndc": "65757-0300-01", "administered": 380}
    return line(number, drug=given, **{"hcpcs": "J2315", "units": 380, **fields})


def office_visit_line(number: int = 1, **fields: Any) -> dict[str, Any]:
    """An E/M line with modifier 25: not a drug line."""
    return {
        "number": number,
        "hcpcs": "99214",
        "modifiers": ["25"],
        "units": 1,
        "charge": "152.00",
        "service_date": "2026-11-02",
        "diagnosis_pointers": [1],
        **fields,
    }


def submission(document: dict[str, Any]) -> Submission:
    checked = validate_claim(document)
    assert isinstance(checked, Submission), checked
    return checked


def scrub(document: dict[str, Any]) -> ClaimScrubbed:
    """The whole engine, every check to its fixpoint."""
    return default_engine().scrub(submission(document), NOW)


def rules(result: ClaimScrubbed, severity: str | None = None) -> list[str]:
    return [f.rule for f in result.findings if severity is None or f.severity == severity]


def flags(document: dict[str, Any], check: Check, ref: Reference | None = None) -> list[Flag]:
    """One check over one round, against ``ref`` or the shipped reference data."""
    context = ClaimContext(submission(document).claim, ref or reference())
    found = list(check(context))
    for flag in found:
        assert not any(datum in flag.finding.message for datum in PATIENT_DATA), flag.finding
    return found


def findings(document: dict[str, Any], check: Check) -> list[Finding]:
    return [flag.finding for flag in flags(document, check)]


def summary(document: dict[str, Any], check: Check) -> list[tuple[str, str, int | None]]:
    """(rule, severity, line) of each finding, in the order the check reported them."""
    return [(f.rule, f.severity, f.line) for f in findings(document, check)]
