"""Prior authorization and REMS (RULES.md, "Authorization and REMS").

These are code-specific rules, judged on administered lines whose code is right for their
drug (``code_pack``): a waste line follows its administered line, and a line with a wrong
code is judged only after CODE.DRUG_MISMATCH has fixed it.

Choices where RULES.md is silent:

- Every AUTH.* rule applies only to codes in the plan's ``prior_authorization`` list: an
  authorization the plan does not ask for is not the payer's concern, so an expired or short
  one on, say, a Medicare Part B claim must not hold it.
- AUTH.MISSING and AUTH.EXPIRED are reported once per code and service date, on the
  lowest-numbered administered line of that code and date: each date is a visit the payer
  authorizes or not, and one finding per visit is what a billing specialist works.
- AUTH.UNITS_EXCEEDED: each service date's administered units count against exactly one
  authorization, the one with the most units among those that list the code and cover the
  date (so no dose is counted twice). An authorization without ``units`` sets no limit; when
  one covers a date, that date is not judged. An authorization is exceeded when the units of
  the dates it judges add up to more than its units; reported once per authorization, on the
  lowest-numbered administered line of the earliest date it judges.
- REMS.NOT_ATTESTED is reported once per code, on its lowest-numbered administered line:
  REMS enrolment is per patient and program, not per visit.
- Authorizations are judged for drug codes with a pack only: the plan's prior-authorization
  list names pack codes (reference data refuses any other).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from claimscrub.contracts.submitted import PriorAuthorization
from claimscrub.scrubbers.context import ClaimContext, DoseGroup, line_number
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.rule_ids import RuleId

REMS_ATTESTATION = "rems_enrolled"


def check(ctx: ClaimContext) -> Iterator[Flag]:
    by_code = _judged_groups(ctx)
    if not by_code:
        return
    required = ctx.plan.prior_authorization  # reviewed data: codes as the packs write them
    for code, groups in by_code.items():
        if code in required:
            yield from _authorization(ctx, code, groups)
        yield from _rems(ctx, groups)


def _judged_groups(ctx: ClaimContext) -> dict[str, list[DoseGroup]]:
    """Dose groups with a right code and at least one administered line, by code and date."""
    by_code: dict[str, list[DoseGroup]] = {}
    for group in sorted(ctx.groups, key=lambda group: (group.code, group.service_date)):
        if group.pack is not None and group.administered_lines:
            by_code.setdefault(group.code, []).append(group)
    return by_code


def _authorization(ctx: ClaimContext, code: str, groups: list[DoseGroup]) -> Iterator[Flag]:
    listing = [auth for auth in ctx.claim.prior_authorizations if _lists(auth, code)]
    if not listing:
        for group in groups:
            yield ctx.flag(
                RuleId.AUTH_MISSING,
                _first_line(group),
                f"{code} on {group.service_date}: {ctx.payer} requires prior authorization "
                f"for {code} and no authorization on the claim lists it; obtain one and add its "
                "number, dates and units to the claim.",
            )
        return
    covered: list[tuple[DoseGroup, list[PriorAuthorization]]] = []
    for group in groups:
        covering = [auth for auth in listing if auth.covers(group.service_date)]
        if covering:
            covered.append((group, covering))
        else:
            yield _expired(ctx, code, group, listing)
    yield from _units_exceeded(ctx, code, covered)


def _expired(
    ctx: ClaimContext, code: str, group: DoseGroup, listing: list[PriorAuthorization]
) -> Flag:
    windows = "; ".join(_window(auth) for auth in listing)
    reversed_dates = any(auth.reversed for auth in listing)
    hint = (
        "; an authorization whose start is after its end covers no date: check whether its "
        "dates were keyed in reverse"
        if reversed_dates
        else ""
    )
    return ctx.flag(
        RuleId.AUTH_EXPIRED,
        _first_line(group),
        f"{code} on {group.service_date}: no authorization for {code} covers this date "
        f"({windows}){hint}; obtain a new or extended authorization, or correct the dates.",
    )


def _window(auth: PriorAuthorization) -> str:
    flipped = " (start after end)" if auth.reversed else ""
    return f"{auth.number} {auth.window}{flipped}"


def _units_exceeded(
    ctx: ClaimContext, code: str, covered: list[tuple[DoseGroup, list[PriorAuthorization]]]
) -> Iterator[Flag]:
    judged: dict[int, list[DoseGroup]] = {}  # by id(): the models are not hashable
    judges: dict[int, PriorAuthorization] = {}
    for group, covering in covered:
        if any(auth.units is None for auth in covering):
            continue  # an authorization without units sets no limit on this date
        judge = max(covering, key=lambda auth: auth.units or 0.0)
        judges[id(judge)] = judge
        judged.setdefault(id(judge), []).append(group)
    for key, groups in judged.items():
        auth = judges[key]
        billed = sum(group.administered_units for group in groups)
        if auth.units is not None and billed > auth.units:
            yield ctx.flag(
                RuleId.AUTH_UNITS_EXCEEDED,
                _first_line(groups[0]),
                f"{code} on {_dates(group.service_date for group in groups)}: "
                f"{_number(billed)} units billed, authorization {auth.number} "
                f"({auth.window}) covers {_number(auth.units)}; request more "
                "units or bill within the authorization.",
            )


def _rems(ctx: ClaimContext, groups: list[DoseGroup]) -> Iterator[Flag]:
    pack = groups[0].pack
    if pack is None or pack.drug.rems is None or ctx.attested(REMS_ATTESTATION):
        return
    first = min((view for group in groups for view in group.administered_lines), key=line_number)
    yield ctx.flag(
        RuleId.REMS_NOT_ATTESTED,
        first.number,
        f"{pack.code} ({pack.drug.label}) is dispensed under the {_program(pack.drug.rems)} "
        f"and the claim lacks the {REMS_ATTESTATION} attestation; confirm the "
        f"prescriber, site and patient are enrolled, then add {REMS_ATTESTATION}.",
    )


def _lists(auth: PriorAuthorization, code: str) -> bool:
    return any(listed.strip().upper() == code for listed in auth.hcpcs)


def _first_line(group: DoseGroup) -> int:
    return min(view.number for view in group.administered_lines)


def _dates(dates: Iterable[date]) -> str:
    return ", ".join(str(day) for day in dates)


def _number(value: float) -> str:
    """300.0 -> "300"; 2.5 -> "2.5": units as a person writes them."""
    return f"{value:g}" if value != int(value) else str(int(value))


def _program(rems: str) -> str:
    """``TOUCH`` -> ``TOUCH REMS program``; ``Tyruko REMS`` stays ``Tyruko REMS program``."""
    return f"{rems} program" if rems.upper().endswith("REMS") else f"{rems} REMS program"
