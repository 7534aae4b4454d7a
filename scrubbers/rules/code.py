"""Code and drug (RULES.md): is the line billed under the code that describes its drug?

The source articles bill natalizumab on J2329, naltrexone on J2320, dupilumab on J2327 and
eladocagene on J1322; each of those is another drug's code. The right code replaces the
wrong one only when it is certain: exactly one product-specific code is effective on the
service date and the administered amount gives the units. Otherwise a person decides.

Where RULES.md is silent:
- A pack whose effective date is unverified (J2315, J2320, J2327) is never
  CODE.NOT_EFFECTIVE and counts as effective when it is the right code for a drug.
- CODE.NOC_DETAIL_MISSING asks for both the NDC and the drug name: payers need both to
  price a NOC line, and either alone is ambiguous.
- A waste line whose administered line has the wrong code moves with it (RULES.md 5) and is
  not reported on its own; a waste line with a wrong code and no administered line has no
  dose to recompute from, so it is a hold.
- A recoded waste line whose discarded amount is under one unit of the new code is removed,
  as UNITS.WASTE_MISMATCH would do; with no known discarded amount it keeps its units and
  the next round's waste rules judge it.
- An administered amount of 0, or one that does not convert to the right code's unit, is
  not "known": the mismatch is a hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from claimscrub.scrubbers.amounts import discarded_units, in_pack_units
from claimscrub.scrubbers.context import ClaimContext, LineView
from claimscrub.scrubbers.findings import Fix, Flag, RemoveLine, SetLineFields, Together
from claimscrub.scrubbers.reference import Drug, Pack
from claimscrub.scrubbers.rule_ids import RuleId
from claimscrub.scrubbers.rules.units import dose_units


def check(ctx: ClaimContext) -> Iterator[Flag]:
    for view in ctx.lines:
        if view.is_noc:
            yield from _noc_detail(ctx, view)
        if view.code_is_wrong and not _follows_administered_line(ctx, view):
            yield _mismatch(ctx, view)
        pack = view.code_pack
        if pack is not None and not pack.effective_on(view.line.service_date):
            yield _not_effective(ctx, view, pack)
        if not view.is_drug_line and view.line.hcpcs[0] in "JQ":
            yield ctx.flag(
                RuleId.CODE_NO_PACK,
                view.number,
                f"{view.line.hcpcs} has no drug pack in ruleset {ctx.reference.ruleset}: "
                "units, waste, authorization and diagnosis rules were not checked for it.",
            )


def _noc_detail(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    drug = view.line.drug
    missing = [
        label
        for label, value in (
            ("NDC", drug.ndc if drug else None),
            ("drug name", drug.name if drug else None),
        )
        if not (value and value.strip())
    ]
    if missing:
        yield ctx.flag(
            RuleId.CODE_NOC_DETAIL_MISSING,
            view.number,
            f"{view.line.hcpcs} is a not-otherwise-classified drug code and the line has no "
            f"{' and no '.join(missing)}: add them so the payer can identify the drug.",
        )


def _follows_administered_line(ctx: ClaimContext, view: LineView) -> bool:
    """A waste line is recoded with its administered line, not judged on its own."""
    return view.is_waste_line and _administered_line_of(ctx, view) is not None


def _administered_line_of(ctx: ClaimContext, waste: LineView) -> LineView | None:
    return next(
        (
            other
            for other in ctx.lines
            if other.is_administered_line
            and other.code_is_wrong
            and other.line.hcpcs == waste.line.hcpcs
            and other.line.service_date == waste.line.service_date
        ),
        None,
    )


def _mismatch(ctx: ClaimContext, view: LineView) -> Flag:
    drug = view.named_drug
    assert drug is not None  # code_is_wrong implies an identified drug
    line = view.line
    codes = ctx.codes_effective(drug, line.service_date)
    problem = _what_is_wrong(view, drug)
    if len(codes) != 1:
        return ctx.flag(
            RuleId.CODE_DRUG_MISMATCH,
            view.number,
            f"{problem} {_no_single_code(drug, codes, view)}",
            severity="hold",
        )
    right = codes[0]
    detail = line.drug
    units = dose_units(view, right)
    if detail is None or units is None:
        return ctx.flag(
            RuleId.CODE_DRUG_MISMATCH,
            view.number,
            f"{problem} Bill {right.label}; the administered amount is "
            f"not known in {right.unit.unit}, so the units must be set by hand.",
            severity="hold",
        )
    fix = Together(
        SetLineFields(view.number, {"hcpcs": right.code, "units": units}),
        _recode_waste_lines(ctx, view, right),
    )
    return ctx.flag(
        RuleId.CODE_DRUG_MISMATCH,
        view.number,
        f"{problem} Bill {right.label} with {units} units for "
        f"{_amount_text(detail.administered, detail.dose_unit)}.",
        fix=fix,
    )


def _what_is_wrong(view: LineView, drug: Drug) -> str:
    line = view.line
    if view.pack is not None:
        return (
            f"{view.pack.label} is billed, but the line's {view.named_by} identifies {drug.label}."
        )
    return (
        f"{line.hcpcs} is a not-otherwise-classified code, but the line's {view.named_by} "
        f"identifies {drug.label}, which has a product-specific code."
    )


def _no_single_code(drug: Drug, codes: list[Pack], view: LineView) -> str:
    if codes:
        listed = ", ".join(pack.code for pack in codes)
        return f"Several codes describe it on {view.line.service_date} ({listed}): choose one."
    if drug.billing:
        return drug.billing[0].upper() + drug.billing[1:] + "."
    return f"No product-specific code for it is effective on {view.line.service_date}."


def _recode_waste_lines(ctx: ClaimContext, administered: LineView, right: Pack) -> list[Fix]:
    """RULES.md 5: the waste line of the old code on the same date moves with its
    administered line; units = discarded amount / the new unit size, rounded down."""
    fixes: list[Fix] = []
    for waste in ctx.lines:
        if not (waste.is_waste_line and _administered_line_of(ctx, waste) is administered):
            continue
        amount = _waste_amount(waste, administered, right)
        if amount is None:
            fixes.append(SetLineFields(waste.number, {"hcpcs": right.code}))
            continue
        units = discarded_units(amount, right)
        fixes.append(
            SetLineFields(waste.number, {"hcpcs": right.code, "units": units})
            if units >= 1
            else RemoveLine(waste.number)
        )
    return fixes


def _waste_amount(waste: LineView, administered: LineView, right: Pack) -> Decimal | None:
    for view in (administered, waste):
        drug = view.line.drug
        if drug is not None and drug.discarded is not None:
            return in_pack_units(drug.discarded, drug.dose_unit, right)
    return None


def _not_effective(ctx: ClaimContext, view: LineView, pack: Pack) -> Flag:
    day = view.line.service_date
    if pack.effective is not None and day < pack.effective:
        when = f"took effect on {pack.effective}"
    else:
        when = f"ended on {pack.end}"
    return ctx.flag(
        RuleId.CODE_NOT_EFFECTIVE,
        view.number,
        f"{pack.label} {when}; the service date {day} is outside it. "
        "Bill the code in force on the service date.",
    )


def _amount_text(amount: float | None, unit: str | None) -> str:
    return f"{amount:g} {unit}" if amount is not None and unit else "the administered amount"
