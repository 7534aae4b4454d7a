"""Diagnoses (RULES.md, "Diagnosis"): valid, billable, pointed to, and supporting the drug.

Codes are compared without the dot, upper-case, against the ICD-10-CM code set shipped with
``simple-icd-10-cm`` (v1 uses the current set for every date). Only categories,
subcategories and 7th-character codes count as codes; chapters and blocks ("G30-G32") are
ranges, not codes.

Choices where RULES.md is silent:

- DX.INVALID and DX.NOT_BILLABLE are reported once per pointed diagnosis (the fix is in the
  claim's diagnosis list, not on a line), on the lowest-numbered line that points to it; the
  message names every line that does. Diagnoses no line points to are not judged.
- A written code is read leniently only as far as it stays unambiguous: surrounding spaces,
  lower case, and one dot after the third character ("g35.a", "G35A"); anything else is
  DX.INVALID.
- DX.POINTER_INVALID is reported once per line, naming all its out-of-range pointers.
- DX.NOT_SUPPORTED is judged per administered line whose code is right for its drug
  (a line with a wrong code waits for its fix; a waste line follows its administered line),
  including a NOC line whose drug is identified by NDC or name, since the indications are
  the drug's, not the code's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import simple_icd_10_cm as cm

from claimscrub.scrubbers.context import ClaimContext, LineView, line_number
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.rule_ids import RuleId

DxKind = Literal["billable", "category", "invalid"]

# Letter, digit, letter-or-digit, then up to four more; at most one dot, after the third.
_SHAPE = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})$")
_SHOWN_CHILDREN = 8


@dataclass(frozen=True, slots=True)
class Diagnosis:
    kind: DxKind
    code: str  # dotless, upper-case; empty when invalid
    shown: str  # how messages write it: dotted when valid, else as written when code-like
    billable_under: tuple[str, ...] = ()  # for a category: its billable (leaf) descendants


# Bounded: the keys are free text from claims, and a worker runs for weeks.
@lru_cache(maxsize=16_384)
def diagnosis(written: str) -> Diagnosis:
    text = written.strip().upper()
    match = _SHAPE.match(text)
    code = "".join(match.groups()) if match else ""
    if not code or not _is_code(code):
        shown = text if len(text) <= 10 and re.fullmatch(r"[A-Z0-9.]+", text) else ""
        return Diagnosis("invalid", "", shown)
    dotted = str(cm.add_dot(code))
    if cm.is_leaf(code):
        return Diagnosis("billable", code, dotted)
    leaves = tuple(str(child) for child in cm.get_descendants(code) if cm.is_leaf(child))
    return Diagnosis("category", code, dotted, leaves)


def _is_code(code: str) -> bool:
    return bool(cm.is_valid_item(code)) and bool(
        cm.is_category(code) or cm.is_subcategory(code) or cm.is_extended_subcategory(code)
    )


def check(ctx: ClaimContext) -> Iterator[Flag]:
    diagnoses = [diagnosis(written) for written in ctx.claim.diagnoses]
    lines = sorted(ctx.lines, key=line_number)
    pointing: dict[int, list[int]] = {}  # diagnosis position -> numbers of lines pointing to it
    for view in lines:
        yield from _pointers(ctx, view, len(diagnoses), pointing)
    for position in sorted(pointing):
        yield from _code_problems(ctx, position, diagnoses[position - 1], pointing[position])
    for view in lines:
        yield from _not_supported(ctx, view, diagnoses)


def _pointers(
    ctx: ClaimContext, view: LineView, count: int, pointing: dict[int, list[int]]
) -> Iterator[Flag]:
    outside = []
    for pointer in view.line.diagnosis_pointers:
        if 1 <= pointer <= count:
            numbers = pointing.setdefault(pointer, [])
            if view.number not in numbers:
                numbers.append(view.number)
        else:
            outside.append(str(pointer))
    if outside:
        listed = "diagnosis" if count == 1 else "diagnoses"
        yield ctx.flag(
            RuleId.DX_POINTER_INVALID,
            view.number,
            f"{view.line.hcpcs}: diagnosis pointer {', '.join(outside)} is outside 1..{count} "
            f"(the claim lists {count} {listed}); point to the diagnosis the service treats.",
        )


def _code_problems(
    ctx: ClaimContext, position: int, dx: Diagnosis, numbers: list[int]
) -> Iterator[Flag]:
    named = f"Diagnosis {position}" + (f" ({dx.shown})" if dx.shown else "")
    lines = f"line{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"
    if dx.kind == "invalid":
        yield ctx.flag(
            RuleId.DX_INVALID,
            numbers[0],
            f"{named}, pointed to by {lines}, is not an ICD-10-CM code; correct it to the "
            "billable code documented in the chart.",
        )
    elif dx.kind == "category":
        yield ctx.flag(
            RuleId.DX_NOT_BILLABLE,
            numbers[0],
            f"{named}, pointed to by {lines}, is a category, not a billable code; use one of "
            f"its billable codes: {_children(dx)}.",
        )


def _children(dx: Diagnosis) -> str:
    shown = ", ".join(dx.billable_under[:_SHOWN_CHILDREN])
    more = len(dx.billable_under) - _SHOWN_CHILDREN
    return f"{shown} and {more} more under {dx.shown}" if more > 0 else shown


def _not_supported(ctx: ClaimContext, view: LineView, diagnoses: list[Diagnosis]) -> Iterator[Flag]:
    drug = view.drug
    if not view.is_administered_line or view.code_is_wrong or drug is None:
        return
    if not drug.indications:
        return
    count = len(diagnoses)
    pointed = [diagnoses[p - 1] for p in view.line.diagnosis_pointers if 1 <= p <= count]
    billable = [dx for dx in pointed if dx.kind == "billable"]
    indications = tuple(drug.indications)
    if not billable or any(dx.code.startswith(indications) for dx in billable):
        return
    shown = ", ".join(dx.shown for dx in billable)
    which = f"diagnoses {shown} are" if len(billable) > 1 else f"diagnosis {shown} is"
    yield ctx.flag(
        RuleId.DX_NOT_SUPPORTED,
        view.number,
        f"{view.line.hcpcs} ({drug.names[0]}): pointed {which} not among its indications "
        f"({', '.join(_dotted(prefix) for prefix in indications)}); point to the diagnosis "
        "the drug treats, or hold for medical-necessity review.",
    )


def _dotted(prefix: str) -> str:
    return f"{prefix[:3]}.{prefix[3:]}" if len(prefix) > 3 else prefix
