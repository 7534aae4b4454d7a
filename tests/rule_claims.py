"""Claims for the rule-module unit tests: the golden "nat-medicare-clean" case, edited.

Each test copies the base, changes what it is about, and runs one check over one round (no
engine fixpoint), so it sees exactly what that check says about that claim.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from claimscrub.contracts import Finding, Submission, validate_claim
from claimscrub.scrubbers.context import ClaimContext
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.reference import Reference, load_reference
from tests.golden import golden_claims

Check = Callable[[ClaimContext], Iterable[Flag]]
# What the base claim says about the patient: no message may repeat it.
PATIENT_DATA = ("M000000001", "Ana", "Diaz", "1979-03-14")


@cache
def _golden_base() -> str:
    return json.dumps(golden_claims()["nat-medicare-clean"])


@cache
def reference() -> Reference:
    return load_reference()


def base(**fields: Any) -> dict[str, Any]:
    """The clean Medicare natalizumab claim (one J2323 line, 300 mg, POS 11, G35.A)."""
    document: dict[str, Any] = json.loads(_golden_base())
    document.update(copy.deepcopy(fields))
    return document


def commercial(**fields: Any) -> dict[str, Any]:
    """The base claim on a commercial plan with a 300-unit J2323 authorization."""
    document = base(
        payer={"id": "COM-1", "plan_type": "commercial"},
        prior_authorizations=[auth()],
    )
    document.update(copy.deepcopy(fields))
    return document


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


def line(number: int = 1, **changes: Any) -> dict[str, Any]:
    """The base claim's line with a new number; ``drug`` merges into the line's drug."""
    found: dict[str, Any] = base()["lines"][0]
    found["number"] = number
    drug = changes.pop("drug", None)
    found.update(changes)
    if drug is not None:
        found["drug"] = {**found["drug"], **drug}
        found["drug"] = {key: value for key, value in found["drug"].items() if value is not None}
    return found


def waste_line(number: int, units: float = 10, **changes: Any) -> dict[str, Any]:
    """A JW line of the base drug: nothing administered, ``units`` discarded."""
    drug = {"administered": 0, "discarded": units, **changes.pop("drug", {})}
    return line(number, modifiers=["JW"], units=units, charge="246.00", drug=drug, **changes)


def context(document: dict[str, Any], ref: Reference | None = None) -> ClaimContext:
    checked = validate_claim(document)
    assert isinstance(checked, Submission), checked
    return ClaimContext(checked.claim, ref or reference())


def run(document: dict[str, Any], check: Check, ref: Reference | None = None) -> list[Flag]:
    flags = list(check(context(document, ref)))
    for flag in flags:
        assert not any(datum in flag.finding.message for datum in PATIENT_DATA), flag.finding
    return flags


def findings(document: dict[str, Any], check: Check) -> list[Finding]:
    return [flag.finding for flag in run(document, check)]


def summary(document: dict[str, Any], check: Check) -> list[tuple[str, str, int | None]]:
    """(rule, severity, line) of each finding, in the order the check reported them."""
    return [(f.rule, f.severity, f.line) for f in findings(document, check)]
