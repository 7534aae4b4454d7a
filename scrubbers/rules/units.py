"""Units (RULES.md): billed units follow the dose; waste units follow the discarded amount.

Billing units round up and discarded units round down (CMS: units are never fractional),
per line for the administered amount and per code and date for the waste. v2 applies them
to every code with a unit size (a pack's, else the ASP pricing file's): the dose and waste
checks read what the biller reported, whatever the code.

Where RULES.md is silent:
- An administered amount that is 0, unknown, or in a unit that does not convert exactly
  (mL without one vial concentration, IU or "dose" against a mg unit) sets no units.
- A waste line's price per unit is its lowest-numbered administered line's (charge /
  billing units); with no administered line on the claim, the waste line's own.
- A JW line for less than one unit is removed, unless it is the claim's only line: then the
  finding is a hold, since removing it would leave no claim.
- UNITS.WASTE_IMPLAUSIBLE and UNITS.WASTE_DUPLICATE are reported on the lowest-numbered
  line of the group that carries what they are about (the stated amount; the second JW line).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from claimscrub.scrubbers.amounts import amount_text, decimal, money, vial_amounts
from claimscrub.scrubbers.codes import CodeFacts
from claimscrub.scrubbers.context import ClaimContext, DoseGroup, LineView, dose_units
from claimscrub.scrubbers.findings import Flag, RemoveLine, SetLineFields
from claimscrub.scrubbers.rule_ids import RuleId


def check(ctx: ClaimContext) -> Iterator[Flag]:
    fixed: set[int] = set()
    for group in ctx.groups:
        yield from _waste_judged(ctx, group)
        if group.facts.unit is not None:
            for view in group.administered_lines:
                flag = _dose_mismatch(ctx, view, group.facts)
                if flag:
                    fixed.add(view.number)
                    yield flag
            flag = _waste_mismatch(ctx, group, group.facts)
            if flag:
                fixed.add(flag.finding.line or 0)
                yield flag
        if group.facts.max_units_per_day is not None:
            yield from _max_exceeded(ctx, group, group.facts.max_units_per_day)
    for view in ctx.drug_lines():
        if view.number not in fixed and not float(view.line.units).is_integer():
            yield ctx.flag(
                RuleId.UNITS_FRACTIONAL,
                view.number,
                f"{view.line.hcpcs}: {view.line.units:g} units is not a whole number and the "
                "amounts on the line do not say what it should be: bill whole units "
                "(administered rounded up, discarded rounded down).",
            )


def units_text(units: float) -> str:
    """``1 unit``, ``40 units``."""
    return f"{units:g} unit" if units == 1 else f"{units:g} units"


def _waste_judged(ctx: ClaimContext, group: DoseGroup) -> Iterator[Flag]:
    """What the biller reported about waste, before any waste is computed from it."""
    if len(group.waste_lines) > 1:
        numbers = ", ".join(str(view.number) for view in group.waste_lines)
        yield ctx.flag(
            RuleId.UNITS_WASTE_DUPLICATE,
            group.waste_lines[1].number,
            f"{group.code} on {group.service_date}: lines {numbers} each report discarded "
            "drug (JW); one JW line carries all the waste of a code and date. Remove the "
            "extra line(s) or correct them; no waste fix is made until then.",
        )
    if group.implausible is not None and group.facts.unit is not None:
        largest = max(vial_amounts(group.facts))
        unit = group.facts.unit.unit
        where = group.first_administered or group.waste_lines[0]
        yield ctx.flag(
            RuleId.UNITS_WASTE_IMPLAUSIBLE,
            where.number,
            f"{group.code} on {group.service_date}: {amount_text(group.implausible)} {unit} "
            f"discarded is at least a whole {amount_text(largest)} {unit} vial; an unopened "
            "vial is not waste (CMS pays JW only for the unused part of a vial used for the "
            "patient). Correct the discarded amount; no waste line is added or resized "
            "from it.",
        )


def _dose_mismatch(ctx: ClaimContext, view: LineView, facts: CodeFacts) -> Flag | None:
    drug = view.line.drug
    units = dose_units(view, facts)
    if drug is None or units is None or view.line.units == units:
        return None
    return ctx.flag(
        RuleId.UNITS_DOSE_MISMATCH,
        view.number,
        f"{facts.code} is billed per {facts.unit_text}: {drug.administered:g} "
        f"{drug.dose_unit} administered is {units_text(units)}, not {view.line.units:g}.",
        fix=SetLineFields(view.number, {"units": units}),
    )


def price_per_unit(first: LineView, facts: CodeFacts) -> Decimal:
    """An administered line's charge over its units, after any units fix."""
    units = dose_units(first, facts) or first.line.units
    return Decimal(first.line.charge) / decimal(units)


def _waste_mismatch(ctx: ClaimContext, group: DoseGroup, facts: CodeFacts) -> Flag | None:
    units, amount = group.discarded_units, group.discarded_amount
    if len(group.waste_lines) != 1 or units is None or amount is None:
        return None
    waste = group.waste_lines[0]
    if waste.line.units == units:
        return None
    unit = facts.unit.unit if facts.unit else ""
    said = (
        f"{facts.code} on {group.service_date}: {amount_text(amount)} {unit} discarded is "
        f"{units_text(units)} of waste (rounded down), not {waste.line.units:g}"
    )
    if units == 0 and len(ctx.claim.lines) == 1:
        return ctx.flag(
            RuleId.UNITS_WASTE_MISMATCH,
            waste.number,
            f"{said}, and it is the claim's only line: there is nothing to bill; withdraw the "
            "claim or correct the discarded amount.",
            severity="hold",
        )
    if units == 0:
        return ctx.flag(
            RuleId.UNITS_WASTE_MISMATCH,
            waste.number,
            f"{said}: less than one unit is not billed, so the JW line goes.",
            fix=RemoveLine(waste.number),
        )
    first = group.first_administered
    price = (
        price_per_unit(first, facts)
        if first
        else Decimal(waste.line.charge) / decimal(waste.line.units)
    )
    charge = money(price * units)
    return ctx.flag(
        RuleId.UNITS_WASTE_MISMATCH,
        waste.number,
        f"{said}; the charge becomes {charge} at the administered line's price per unit.",
        fix=SetLineFields(waste.number, {"units": units, "charge": charge}),
    )


def _max_exceeded(ctx: ClaimContext, group: DoseGroup, maximum: int) -> Iterator[Flag]:
    first = group.first_administered
    if first is None or group.administered_units <= maximum:
        return
    yield ctx.flag(
        RuleId.UNITS_MAX_EXCEEDED,
        first.number,
        f"{group.code} on {group.service_date}: {units_text(group.administered_units)} "
        f"administered exceed the maximum of {maximum} per day; check the dose and the "
        "units, or attach the documentation of medical necessity.",
    )
