"""The claim as a whole (RULES.md, "Claim"): timely filing, service after submission, and
fields the contract does not define.

The submission date is the date of ``submitted_at`` read in its own offset (RULES.md):
``2026-11-01T23:30:00-05:00`` is 2026-11-01, although it is 2026-11-02 in UTC. Each plan's
filing limit in months is data (``plans/*.toml``: ``timely_filing_months``).

Choices where RULES.md is silent:

- CLAIM.TIMELY_FILING and CLAIM.SERVICE_AFTER_SUBMISSION are reported on every line they
  concern, drug line or not: a payer pays or denies each line on its own service date, and
  one claim may hold lines on either side of a limit.
- The filing limit includes its last day: the service date plus N months (the day clamped
  to the end of a shorter month: 2025-01-31 + 1 month is 2025-02-28; 2024-02-29 + 12 months
  is 2025-02-28) is the last day a payer accepts the line; a submission the day after is
  late. A limit that ends after 9999-12-31 never passes.
- A service on the submission date is not after it (a claim may be sent the day of the
  visit).
- Both read ``submitted_at`` of the claim as sent, never the time of scrubbing (a redelivered
  claim gets the same result), also for a corrected resubmission (``revision`` > 1): whether
  a payer measures a correction from the original filing is the payer's rule, not data here.
- CLAIM.UNKNOWN_FIELD is one claim-level finding listing every unknown field's JSON Pointer
  (RFC 6901: ``~`` written ``~0``, ``/`` written ``~1``). The walk follows the validated
  model: an object's own unknown fields in the order submitted, then its known fields in the
  contract's order, list elements by index. The contract's spelling of a field is its JSON
  name (``schema``, not the model's ``schema_``).
- Inside an unknown field (an object or a list the contract does not define) only the
  unknown field's own pointer is listed, never what is under it: everything there is unknown
  too, and renaming or removing that one field is what the biller does.
- The pointers are into the claim as submitted (``ctx.submitted`` in a round that judges a
  corrected claim), so a fix that removes or adds a line never shifts or hides one. A
  pointer into a line names the line's ``number`` too (``/lines/1/drug/ndc_qty (line 2)``):
  billers count lines by number, not from 0.
- An unknown field whose name is close to a contract field of the same object that the object
  lacks (ignoring case; ``difflib`` ratio at least 0.7) suggests it: ``did you mean
  ndc_quantity?``. Field names only; values are never read.
- At most 20 pointers are listed; the message always gives the total ("and 3 more").
"""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Iterator
from datetime import date
from functools import cache, lru_cache
from typing import ClassVar, NamedTuple, get_args

from pydantic import BaseModel

from claimscrub.contracts import Line
from claimscrub.scrubbers.context import ClaimContext
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.rule_ids import RuleId

MAX_POINTERS_LISTED = 20
SUGGESTION_CUTOFF = 0.7


def check(ctx: ClaimContext) -> Iterator[Flag]:
    yield from _filing_dates(ctx)
    yield from _unknown_fields(ctx)


def submission_date(ctx: ClaimContext) -> date:
    """The date of ``submitted_at`` in its own offset (RULES.md, "Claim")."""
    return ctx.claim.submitted_at.date()


@lru_cache(maxsize=4096)  # service dates repeat across lines and claims
def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the end of a shorter month;
    ``date.max`` when the result would fall after it."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _filing_dates(ctx: ClaimContext) -> Iterator[Flag]:
    submitted = submission_date(ctx)
    months = ctx.plan.timely_filing_months
    for view in ctx.lines:
        line = view.line
        served = line.service_date
        if served > submitted:
            ahead = (served - submitted).days
            yield ctx.flag(
                RuleId.CLAIM_SERVICE_AFTER_SUBMISSION,
                view.number,
                f"{line.hcpcs} on {served}: the service date is {_days(ahead)} after the "
                f"claim was submitted ({submitted}), and a service cannot be billed before it "
                "happens. Correct the service date if it is mistyped; otherwise take the line "
                "off this claim and bill it once the service is given.",
            )
            continue
        last_day = add_months(served, months)
        if submitted > last_day:
            late = (submitted - last_day).days
            yield ctx.flag(
                RuleId.CLAIM_TIMELY_FILING,
                view.number,
                f"{line.hcpcs} on {served} is past the {months}-month timely filing limit "
                f"of {ctx.payer}: the last day to file it was {last_day}, and the claim "
                f"was submitted {submitted}, {_days(late)} later. The payer will deny the line "
                "as late; bill it only with proof of an exception the payer accepts (such as "
                "retroactive eligibility or an earlier timely submission).",
            )


class _Unknown(NamedTuple):
    pointer: str
    key: str
    owner: BaseModel  # the object that holds the unknown field
    line: int | None  # the number of the line it is in, if any


def _unknown_fields(ctx: ClaimContext) -> Iterator[Flag]:
    found = _unknown_in(ctx.submitted or ctx.claim)
    if not found:
        return
    listed = ", ".join(_describe(unknown) for unknown in found[:MAX_POINTERS_LISTED])
    more = len(found) - MAX_POINTERS_LISTED
    if more > 0:
        listed += f", and {more} more"
    if len(found) == 1:
        head = "The claim has a field the contract does not define"
        tail = (
            "It is kept with the claim but no rule reads it: if it is a misspelt contract "
            "field, correct its name so the field is checked; otherwise nothing needs doing."
        )
    else:
        head = f"The claim has {len(found)} fields the contract does not define"
        tail = (
            "They are kept with the claim but no rule reads them: correct the name of any "
            "misspelt contract field so the field is checked; the others need nothing."
        )
    yield ctx.flag(RuleId.CLAIM_UNKNOWN_FIELD, None, f"{head}: {listed}. {tail}")


class _Remembered:
    """The unknown fields of the last claim walked: every round of one scrub asks about the
    same submitted claim (held here, so ``is`` cannot match a newer object at its address)."""

    claim: ClassVar[BaseModel | None] = None
    found: ClassVar[list[_Unknown]] = []


def _unknown_in(claim: BaseModel) -> list[_Unknown]:
    if _Remembered.claim is not claim:
        _Remembered.found = list(_walk(claim, "", None))
        _Remembered.claim = claim
    return _Remembered.found


def _walk(model: BaseModel, pointer: str, line: int | None) -> Iterator[_Unknown]:
    """Unknown fields of ``model`` (at ``pointer``) and of the contract objects under it.
    Only the fields that can hold contract objects are visited (``_nested``): this runs on
    every claim, and most fields are plain values."""
    if isinstance(model, Line):
        line = model.number
    for key in model.__pydantic_extra__ or ():  # model_extra, without the property call
        yield _Unknown(f"{pointer}/{_escape(key)}", key, model, line)
    for name, key in _nested(type(model)):
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _walk(value, f"{pointer}/{key}", line)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{pointer}/{key}/{index}", line)


@cache
def _nested(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(attribute, escaped JSON name) of each field of ``model`` whose type can hold a
    contract object, directly or in a list."""
    return tuple(
        (name, _escape(info.alias or name))
        for name, info in model.model_fields.items()
        if _holds_model(info.annotation)
    )


def _holds_model(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(argument) for argument in get_args(annotation))


def _escape(key: str) -> str:
    """A JSON Pointer reference token (RFC 6901, section 3)."""
    return key.replace("~", "~0").replace("/", "~1")


def _describe(unknown: _Unknown) -> str:
    notes = [f"line {unknown.line}"] if unknown.line is not None else []
    suggestion = _suggestion(unknown.key, unknown.owner)
    if suggestion:
        notes.append(f"did you mean {suggestion}?")
    return f"{unknown.pointer} ({'; '.join(notes)})" if notes else unknown.pointer


def _suggestion(key: str, owner: BaseModel) -> str | None:
    """The contract field of ``owner`` that ``key`` most likely misspells, if it lacks it."""
    absent = {
        (info.alias or name).casefold(): info.alias or name
        for name, info in type(owner).model_fields.items()
        if name not in owner.model_fields_set
    }
    close = difflib.get_close_matches(key.casefold(), absent, n=1, cutoff=SUGGESTION_CUTOFF)
    return absent[close[0]] if close else None


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
