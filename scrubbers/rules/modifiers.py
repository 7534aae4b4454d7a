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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from claimscrub.scrubbers.amounts import CENT, amount_text, as_number, convert, decimal, money
from claimscrub.scrubbers.codes import CodeFacts
from claimscrub.scrubbers.context import ClaimContext, DoseGroup, LineView
from claimscrub.scrubbers.findings import AddLine, EditModifiers, Flag
from claimscrub.scrubbers.rule_ids import RuleId
from claimscrub.scrubbers.rules.units import price_per_unit, units_text

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
            f"{view.line.hcpcs}: {'; '.join(_invalid_text(ctx, m) for m in invalid)}",
        )
    if len(modifiers) > MAX_MODIFIERS:
        yield ctx.flag(RuleId.MOD_TOO_MANY, view.number, _too_many(ctx, view))
    yield from _unknown(ctx, view)
    repeated = sorted({m for m in view.modifiers if view.modifiers.count(m) > 1})
    if repeated:
        yield ctx.flag(
            RuleId.MOD_DUPLICATE,
            view.number,
            f"{view.line.hcpcs}: {', '.join(repeated)} appears more than once; keep one.",
            fix=EditModifiers(view.number, dedupe=True),
        )


def _invalid_text(ctx: ClaimContext, written: str) -> str:
    """Why ``written`` is not a modifier, and what was likely meant."""
    said = f"{written!r} is not a modifier (exactly two letters or digits)"
    meant = re.sub(r"[\s-]", "", written).upper()
    known = ctx.reference.cms.is_modifier(meant) or meant in ctx.reference.code_sets.cpt_modifiers
    if meant != written and _SHAPE.match(meant) and known:
        return f"{said}: did you mean {meant}?"
    if meant == "POS":
        return f"{said}: the place of service goes in place_of_service, not in the modifiers."
    return f"{said}: correct or remove it."


def _too_many(ctx: ClaimContext, view: LineView) -> str:
    """The count the biller sent, and which modifier a fix of this claim added."""
    sent = _submitted_modifiers(ctx, view.number)
    count = len(view.line.modifiers)
    text = f"{view.line.hcpcs}: {count} modifiers; an 837P line carries at most {MAX_MODIFIERS}."
    added = [m for m in view.line.modifiers if m not in sent] if sent is not None else []
    if added and len(sent or ()) <= MAX_MODIFIERS:
        return (
            f"{text} The claim sent {len(sent or ())}; the correction added "
            f"{', '.join(added)}, which the payer requires. Remove one that does not affect "
            "payment."
        )
    return f"{text} Keep the ones that affect payment."


def _submitted_modifiers(ctx: ClaimContext, number: int) -> list[str] | None:
    submitted = ctx.submitted
    if submitted is None:
        return None
    line = next((line for line in submitted.lines if line.number == number), None)
    return None if line is None else list(line.modifiers)


def _unknown(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    cms = ctx.reference.cms
    unknown = [
        m
        for m in dict.fromkeys(view.modifiers)
        if _SHAPE.match(m) and m[0].isalpha() and not cms.is_modifier(m)
    ]
    if not unknown:
        return
    severity, where = ctx.hcpcs_verdict(view.line.service_date)
    advice = " correct or remove it." if severity == "hold" else ""
    yield ctx.flag(
        RuleId.MOD_UNKNOWN,
        view.number,
        f"{view.line.hcpcs}: {', '.join(unknown)} is not a HCPCS Level II modifier {where}{advice}",
        severity=severity,
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
    for view in group.waste_lines if len(group.waste_lines) == 1 else ():
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
            f"{ctx.payer} requires JZ on the line from {ctx.plan.jz_required_from}.",
            fix=EditModifiers(view.number, add="JZ"),
        )
    elif group.discarded_amount is None and not group.waste_lines:
        yield ctx.flag(
            RuleId.MOD_WASTE_UNDOCUMENTED,
            view.number,
            f"{code} on {group.service_date}: {ctx.payer} requires JZ when nothing is "
            "discarded and a JW line when something is, and the claim says neither: document the "
            "discarded amount (drug.discarded) or add JZ if none was discarded.",
        )


def _missing_waste_line(ctx: ClaimContext, group: DoseGroup, first: LineView) -> Iterator[Flag]:
    amount = group.discarded_amount
    facts = group.facts
    if facts.noc:
        if amount is not None and amount > 0:
            unit = first.line.drug.dose_unit if first.line.drug else None
            yield ctx.flag(
                RuleId.MOD_NOC_WASTE_LINE_MISSING,
                first.number,
                f"{group.code} on {group.service_date}: {amount_text(amount)} "
                f"{unit or '(unit not given)'} discarded and no JW line; waste units of a "
                "not-otherwise-classified code are set by each payer, so add the JW line by "
                "hand as the payer asks.",
            )
        return
    units = group.discarded_units
    if amount is None or units is None or units < 1 or facts.unit is None:
        return
    charge = money(price_per_unit(first, facts) * units)
    yield ctx.flag(
        RuleId.MOD_JW_LINE_MISSING,
        first.number,
        f"{group.code} on {group.service_date}: {amount_text(amount)} {facts.unit.unit} "
        f"discarded is {units_text(units)} of waste; add a JW line for {_them(units)} "
        f"(charge {charge}, the administered line's price per unit).",
        fix=AddLine(first.number, _waste_line_builder(amount, units, charge, facts)),
    )


def _them(units: int) -> str:
    return "it" if units == 1 else "them"


def _waste_line_builder(
    amount: Decimal, units: int, charge: str, facts: CodeFacts
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The JW line RULES.md describes, built from the administered line as it is when the
    fix is applied: same code, date and pointers; the discarded amount in its dose unit;
    in mL too (``ndc_quantity``) when the line's NDC quantity is in mL and the vial has a
    volume."""
    assert facts.unit is not None
    code_unit = facts.unit.unit

    def build(source: dict[str, Any]) -> dict[str, Any]:
        drug = source.get("drug") or {}
        dose_unit = drug.get("dose_unit") or code_unit
        in_dose_unit = convert(amount, code_unit, dose_unit, facts.vials)
        if in_dose_unit is None:
            in_dose_unit, dose_unit = amount, code_unit
        waste_drug = {
            key: drug[key] for key in ("name", "ndc", "therapy_start_date") if drug.get(key)
        }
        waste_drug.update(administered=0, discarded=as_number(in_dose_unit), dose_unit=dose_unit)
        quantity = _ml_quantity(amount, facts) if drug.get("ndc_unit") == "ML" else None
        if quantity is not None:
            waste_drug.update(ndc_quantity=as_number(quantity), ndc_unit="ML")
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


def _ml_quantity(amount: Decimal, facts: CodeFacts) -> Decimal | None:
    """The discarded amount in mL through the vial's concentration (vial amount / vial
    volume), rounded half-up to 3 decimals; None without one vial with a volume."""
    vials = [vial for vial in facts.vials if vial.volume_ml]
    if len(vials) != 1 or facts.unit is None:
        return None
    vial = vials[0]
    in_vial_unit = convert(amount, facts.unit.unit, vial.unit, facts.vials)
    if in_vial_unit is None or vial.volume_ml is None:
        return None
    per_ml = decimal(vial.amount) / decimal(vial.volume_ml)
    return (in_vial_unit / per_ml).quantize(CENT / 10, ROUND_HALF_UP)
