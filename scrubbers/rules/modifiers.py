"""Modifiers (RULES.md): shape and count on any line; the JW/JZ waste rules on drug lines.

CMS: JW reports discarded drug on its own line; JZ says nothing was discarded; neither
belongs on a multi-dose container, and they never share a line. Which plans require them,
and from when, is plan data (``PlanPolicy.jw_required_from`` / ``jz_required_from``).

Where RULES.md is silent:
- The waste rules are judged per dose group (one code, one date) and need the line's drug to
  be single-dose; JZ_MISSING, JZ_WITH_WASTE and WASTE_UNDOCUMENTED are reported on each
  administered line they concern, JW_LINE_MISSING once, on the lowest-numbered one.
- Waste under one unit rounds to 0 discarded units: no JW line, and JZ where the plan
  requires it (RULES.md: "discarded units are known to be 0").
- The added JW line copies ``dose_unit`` too, so its ``discarded`` amount can be read.
- MOD.INVALID and MOD.TOO_MANY are reported once per line, naming every offending modifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from claimscrub.scrubbers.amounts import amount_text, as_number, convert, money
from claimscrub.scrubbers.context import ClaimContext, DoseGroup, LineView
from claimscrub.scrubbers.findings import AddLine, EditModifiers, Flag
from claimscrub.scrubbers.reference import Pack
from claimscrub.scrubbers.rule_ids import RuleId
from claimscrub.scrubbers.rules.units import price_per_unit

_SHAPE = re.compile(r"^[A-Za-z0-9]{2}$")
MAX_MODIFIERS = 4  # 837P SV101-3..6


def check(ctx: ClaimContext) -> Iterator[Flag]:
    for view in ctx.lines:
        yield from _shape_and_count(ctx, view)
        if view.is_drug_line:
            yield from _not_for_drug_line(ctx, view)
    for group in ctx.groups:
        yield from _waste_rules(ctx, group)


def _has_invalid(view: LineView) -> bool:
    return any(not _SHAPE.match(modifier) for modifier in view.line.modifiers)


def _shape_and_count(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    modifiers = view.line.modifiers
    invalid = [modifier for modifier in modifiers if not _SHAPE.match(modifier)]
    if invalid:
        yield ctx.flag(
            RuleId.MOD_INVALID,
            view.number,
            f"{view.line.hcpcs}: {', '.join(repr(m) for m in invalid)} is not a modifier "
            "(exactly two letters or digits); correct or remove it (place of service goes in "
            "place_of_service, not in the modifiers).",
        )
    if len(modifiers) > MAX_MODIFIERS:
        yield ctx.flag(
            RuleId.MOD_TOO_MANY,
            view.number,
            f"{view.line.hcpcs}: {len(modifiers)} modifiers; an 837P line carries at most "
            f"{MAX_MODIFIERS}. Keep the ones that affect payment.",
        )
    repeated = sorted({m for m in view.modifiers if view.modifiers.count(m) > 1})
    if repeated:
        yield ctx.flag(
            RuleId.MOD_DUPLICATE,
            view.number,
            f"{view.line.hcpcs}: {', '.join(repeated)} appears more than once; keep one.",
            fix=EditModifiers(view.number, dedupe=True),
        )


def _not_for_drug_line(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    reasons = ctx.reference.code_sets.not_for_drug_line
    wrong = [modifier for modifier in dict.fromkeys(view.modifiers) if modifier in reasons]
    if wrong:
        yield ctx.flag(
            RuleId.MOD_NOT_FOR_DRUG_LINE,
            view.number,
            f"{view.line.hcpcs} is a drug line: remove {', '.join(wrong)} "
            f"({'; '.join(reasons[m] for m in wrong)}).",
            fix=EditModifiers(view.number, remove=frozenset(wrong)),
        )


def _required(since: date | None, day: date) -> bool:
    return since is not None and since <= day


def _waste_rules(ctx: ClaimContext, group: DoseGroup) -> Iterator[Flag]:
    views = [v for v in (*group.administered_lines, *group.waste_lines) if not _has_invalid(v)]
    multi_dose = [v for v in views if v.drug and v.drug.container == "multi_dose"]
    for view in multi_dose:
        yield from _not_applicable(ctx, view)
    if not any(v.single_dose for v in views):
        return
    plan = ctx.plan
    jw_required = _required(plan.jw_required_from, group.service_date)
    jz_required = _required(plan.jz_required_from, group.service_date)
    for view in group.waste_lines:
        if view.single_dose and "JZ" in view.modifiers:
            yield _flag_jw_jz(ctx, view)
    administered = [v for v in group.administered_lines if v in views and v.single_dose]
    for view in administered:
        if "JW" in view.modifiers:
            yield _flag_jw_on_administered(ctx, view)
        yield from _jz_rules(ctx, group, view, jz_required)
    if jw_required and administered and not group.waste_lines:
        yield from _missing_waste_line(ctx, group, administered[0])


def _not_applicable(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    present = [m for m in ("JW", "JZ") if m in view.modifiers]
    if present:
        yield ctx.flag(
            RuleId.MOD_WASTE_MODIFIER_NOT_APPLICABLE,
            view.number,
            f"{view.line.hcpcs}: {' and '.join(present)} apply to single-dose containers only, "
            "and this drug comes in a multi-dose container: remove them.",
            fix=EditModifiers(view.number, remove=frozenset(present)),
        )


def _flag_jw_jz(ctx: ClaimContext, view: LineView) -> Flag:
    return ctx.flag(
        RuleId.MOD_JW_JZ_SAME_LINE,
        view.number,
        f"{view.line.hcpcs}: JW (drug discarded) and JZ (nothing discarded) contradict each "
        "other; this is the waste line, so JZ goes.",
        fix=EditModifiers(view.number, remove=frozenset({"JZ"})),
    )


def _flag_jw_on_administered(ctx: ClaimContext, view: LineView) -> Flag:
    return ctx.flag(
        RuleId.MOD_JW_ON_ADMINISTERED_LINE,
        view.number,
        f"{view.line.hcpcs}: JW marks discarded drug, but this line reports "
        f"{view.administered:g} administered: remove JW; discarded units go on a JW line of "
        "their own.",
        fix=EditModifiers(view.number, remove=frozenset({"JW"})),
    )


def _jz_rules(
    ctx: ClaimContext, group: DoseGroup, view: LineView, jz_required: bool
) -> Iterator[Flag]:
    discarded = group.discarded_units
    has_jz = "JZ" in view.modifiers
    code = view.line.hcpcs
    if has_jz and (
        (discarded is not None and discarded >= 1) or (discarded is None and group.waste_lines)
    ):
        amount = "drug was discarded" if discarded is None else f"{discarded} units were discarded"
        yield ctx.flag(
            RuleId.MOD_JZ_WITH_WASTE,
            view.number,
            f"{code}: JZ says nothing was discarded, but {amount} on {group.service_date}: "
            "remove JZ.",
            fix=EditModifiers(view.number, remove=frozenset({"JZ"})),
        )
    if not jz_required or has_jz:
        return
    if discarded == 0:
        yield ctx.flag(
            RuleId.MOD_JZ_MISSING,
            view.number,
            f"{code} is from a single-dose container and no drug was discarded: "
            f"{ctx.claim.payer.plan_type.replace('_', ' ').title()} requires JZ on the line "
            f"from {ctx.plan.jz_required_from}.",
            fix=EditModifiers(view.number, add="JZ"),
        )
    elif group.discarded_amount is None and not group.waste_lines:
        yield ctx.flag(
            RuleId.MOD_WASTE_UNDOCUMENTED,
            view.number,
            f"{code} on {group.service_date}: the plan requires JZ when nothing is discarded "
            "and a JW line when something is, and the claim says neither: document the "
            "discarded amount (drug.discarded) or add JZ if none was discarded.",
        )


def _missing_waste_line(ctx: ClaimContext, group: DoseGroup, first: LineView) -> Iterator[Flag]:
    amount = group.discarded_amount
    if group.pack is None:
        if amount is not None and amount > 0:
            yield ctx.flag(
                RuleId.MOD_NOC_WASTE_LINE_MISSING,
                first.number,
                f"{group.code} on {group.service_date}: {amount_text(amount)} discarded and "
                "no JW line; waste units of a not-otherwise-classified code are set by each "
                "payer, so add the JW line by hand as the payer asks.",
            )
        return
    units = group.discarded_units
    if amount is None or units is None or units < 1:
        return
    charge = money(price_per_unit(first, group.pack) * units)
    yield ctx.flag(
        RuleId.MOD_JW_LINE_MISSING,
        first.number,
        f"{group.code} on {group.service_date}: {amount_text(amount)} {group.pack.unit.unit} "
        f"discarded is {units} units; add a JW line for them (charge {charge}, the "
        "administered line's price per unit).",
        fix=AddLine(first.number, _waste_line_builder(amount, units, charge, group.pack)),
    )


def _waste_line_builder(
    amount: Decimal, units: int, charge: str, pack: Pack
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The JW line RULES.md describes, built from the administered line as it is when the
    fix is applied: same code, date and pointers; the discarded amount in its dose unit."""

    def build(source: dict[str, Any]) -> dict[str, Any]:
        drug = source.get("drug") or {}
        dose_unit = drug.get("dose_unit") or pack.unit.unit
        in_dose_unit = convert(amount, pack.unit.unit, dose_unit, pack.drug.vials) or amount
        waste_drug = {
            key: drug[key] for key in ("name", "ndc", "therapy_start_date") if drug.get(key)
        }
        waste_drug.update(administered=0, discarded=as_number(in_dose_unit), dose_unit=dose_unit)
        return {
            "hcpcs": source["hcpcs"],
            "modifiers": ["JW"],
            "units": units,
            "charge": charge,
            "service_date": source["service_date"],
            "diagnosis_pointers": list(source["diagnosis_pointers"]),
            "drug": waste_drug,
        }

    return build
