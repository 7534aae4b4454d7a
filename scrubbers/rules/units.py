"""Units (RULES.md): billed units follow the dose; waste units follow the discarded amount.

Billing units round up and discarded units round down (CMS: units are never fractional),
per line for the administered amount and per code and date for the waste.

Where RULES.md is silent:
- An administered amount that is 0, unknown, or in a unit that does not convert exactly
  (mL without one vial concentration, IU or "dose" against a mg unit) sets no units.
- With several JW lines for one code and date, the lowest-numbered one is judged.
- A waste line's price per unit is its administered line's (charge / billing units); with no
  administered line on the claim, the waste line's own.
- A JW line for less than one unit is removed, unless it is the claim's only line: then the
  finding is a hold, since removing it would leave no claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from claimscrub.scrubbers.amounts import amount_text, billing_units, decimal, in_pack_units, money
from claimscrub.scrubbers.context import ClaimContext, DoseGroup, LineView
from claimscrub.scrubbers.findings import Flag, RemoveLine, SetLineFields
from claimscrub.scrubbers.reference import Pack
from claimscrub.scrubbers.rule_ids import RuleId


def check(ctx: ClaimContext) -> Iterator[Flag]:
    fixed: set[int] = set()
    for group in ctx.groups:
        if group.pack is None:
            continue
        for view in group.administered_lines:
            flag = _dose_mismatch(ctx, view, group.pack)
            if flag:
                fixed.add(view.number)
                yield flag
        flag = _waste_mismatch(ctx, group, group.pack)
        if flag:
            fixed.add(flag.finding.line or 0)
            yield flag
        if group.pack.max_units_per_day is not None:
            yield from _max_exceeded(ctx, group, group.pack.max_units_per_day)
    for view in ctx.drug_lines():
        if view.number not in fixed and not float(view.line.units).is_integer():
            yield ctx.flag(
                RuleId.UNITS_FRACTIONAL,
                view.number,
                f"{view.line.hcpcs}: {view.line.units:g} units is not a whole number and the "
                "amounts on the line do not say what it should be: bill whole units "
                "(administered rounded up, discarded rounded down).",
            )


def dose_units(view: LineView, pack: Pack) -> int | None:
    """The billing units the line's administered amount makes; None when the amount is
    unknown, zero or does not convert (then there are no units to set)."""
    drug = view.line.drug
    amount = in_pack_units(drug.administered, drug.dose_unit, pack) if drug else None
    return billing_units(amount, pack) if amount is not None and amount > 0 else None


def _dose_mismatch(ctx: ClaimContext, view: LineView, pack: Pack) -> Flag | None:
    drug = view.line.drug
    units = dose_units(view, pack)
    if drug is None or units is None or view.line.units == units:
        return None
    return ctx.flag(
        RuleId.UNITS_DOSE_MISMATCH,
        view.number,
        f"{pack.code} is billed per {pack.unit.amount:g} {pack.unit.unit}: "
        f"{drug.administered:g} {drug.dose_unit} administered is {units} units, "
        f"not {view.line.units:g}.",
        fix=SetLineFields(view.number, {"units": units}),
    )


def price_per_unit(first: LineView, pack: Pack) -> Decimal:
    """An administered line's charge over its units, after any units fix."""
    units = dose_units(first, pack) or first.line.units
    return Decimal(first.line.charge) / decimal(units)


def _waste_mismatch(ctx: ClaimContext, group: DoseGroup, pack: Pack) -> Flag | None:
    units, amount = group.discarded_units, group.discarded_amount
    if not group.waste_lines or units is None or amount is None:
        return None
    waste = group.waste_lines[0]
    if waste.line.units == units:
        return None
    said = (
        f"{pack.code} on {group.service_date}: {amount_text(amount)} {pack.unit.unit} "
        f"discarded is {units} waste units (rounded down), not {waste.line.units:g}"
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
        price_per_unit(first, pack)
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
        f"{group.code} on {group.service_date}: {group.administered_units:g} units administered "
        f"exceed the maximum of {maximum} per day; check the dose and the units, or attach "
        "the documentation of medical necessity.",
    )
