"""Place of service and site of care (RULES.md, "Site of care").

The POS code set (with effective dates), the hospital outpatient POS and each plan's
facility POS and site-of-care program are data (``code_sets.toml``, ``plans/*.toml``).

Choices where RULES.md is silent:

- SITE.POS_INVALID is claim-level (line null): the place of service is a claim field.
- SITE.FACILITY_DRUG is reported on every drug line (administered and waste, whatever its
  code): the fix is per line (take the drug off this professional claim, the facility bills
  it) while the other lines (E/M, administration) may stay.
- SITE.SITE_OF_CARE is reported per administered line with a right code: the therapy start
  date is a line fact, so lines of one claim can fall on either side of the initial period.
  "More than N days after" is strict: day N is still inside the initial period, day N+1 is
  not. A therapy start after the service date counts as inside the initial period.
"""

from __future__ import annotations

from collections.abc import Iterator

from claimscrub.scrubbers.context import ClaimContext, LineView
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.reference import SiteOfCare
from claimscrub.scrubbers.rule_ids import RuleId

EXCEPTION_ATTESTATION = "site_of_care_exception"


def check(ctx: ClaimContext) -> Iterator[Flag]:
    yield from _pos_invalid(ctx)
    yield from _facility_drug(ctx)
    yield from _site_of_care(ctx)


def _pos_invalid(ctx: ClaimContext) -> Iterator[Flag]:
    pos = ctx.claim.place_of_service
    earliest = min(line.service_date for line in ctx.claim.lines)
    known = ctx.reference.pos_codes.get(pos)
    if known is None:
        yield ctx.flag(
            RuleId.SITE_POS_INVALID,
            None,
            f"Place of service {pos} is not a CMS POS code (unassigned); enter the code of "
            "the place the service was given (e.g. 11 office, 12 home, 22 hospital outpatient).",
        )
    elif known.effective is not None and earliest < known.effective:
        yield ctx.flag(
            RuleId.SITE_POS_INVALID,
            None,
            f"Place of service {pos} ({known.name}) is a CMS POS code only from "
            f"{known.effective}, after the claim's earliest service date {earliest}; enter the "
            "code in force on that date.",
        )


def _facility_drug(ctx: ClaimContext) -> Iterator[Flag]:
    pos = ctx.claim.place_of_service
    if pos not in ctx.plan.facility_pos:
        return
    known = ctx.reference.pos_codes.get(pos)
    where = f"{pos} ({known.name})" if known else pos
    how = " under OPPS" if pos in ctx.reference.code_sets.hospital_outpatient_pos else ""
    for view in ctx.drug_lines():
        yield ctx.flag(
            RuleId.SITE_FACILITY_DRUG,
            view.number,
            f"{view.line.hcpcs} at place of service {where}: the facility supplies the drug "
            f"and bills it on its own claim{how}; remove the drug line from this professional "
            "claim, or correct the place of service.",
        )


def _site_of_care(ctx: ClaimContext) -> Iterator[Flag]:
    program = ctx.plan.site_of_care
    pos = ctx.claim.place_of_service
    if (
        program is None
        or pos not in ctx.reference.code_sets.hospital_outpatient_pos
        or ctx.attested(EXCEPTION_ATTESTATION)
    ):
        return
    for view in ctx.lines:
        if (
            view.is_administered_line
            and view.code_pack is not None
            and view.line.hcpcs in program.codes
        ):
            reason = _past_initial_period(view, program)
            if reason:
                yield ctx.flag(
                    RuleId.SITE_SITE_OF_CARE,
                    view.number,
                    f"{view.line.hcpcs} on {view.line.service_date} at place of service {pos} "
                    f"(hospital outpatient): {reason}, and {ctx.payer}'s site-of-care program "
                    f"allows hospital outpatient infusion only in the first "
                    f"{program.initial_period_days} days; move it to an office, infusion "
                    f"center or home, or document an exception and add {EXCEPTION_ATTESTATION}.",
                )


def _past_initial_period(view: LineView, program: SiteOfCare) -> str | None:
    """Why the line is past the plan's initial period, or None while inside it."""
    drug = view.line.drug
    start = drug.therapy_start_date if drug else None
    if start is None:
        return "the line has no therapy_start_date (add it if this is an early dose)"
    days = (view.line.service_date - start).days
    if days > program.initial_period_days:
        return f"it is {days} days after the therapy start {start}"
    return None
