"""Code and drug (RULES.md): is the line billed under the code that describes its drug?

The source articles bill natalizumab on J2329, naltrexone on J2320, dupilumab on J2327 and
eladocagene on J1322; each of those is another drug's code. v2 judges every catalogued
code the same way: an NDC's codes come from the packs, then the CMS crosswalk. The right
code replaces the wrong one only when it is certain: identified by NDC or a one-drug name,
the two not disagreeing, exactly one product-specific code effective on the service date,
with a unit size the administered amount converts to. Otherwise a person decides, and the
hold names the candidate codes.

Where RULES.md is silent:
- A code with no effective date in the catalog (J2315, J2320, J2327; every catalogued code
  without the fixed-width file) is never CODE.NOT_EFFECTIVE and counts as effective.
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
- CODE.UNKNOWN judges codes against the loaded HCPCS Level II file only; a code a pack
  describes but the file lacks is still unknown to the payer's edits and reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from claimscrub.scrubbers.amounts import discarded_units, money
from claimscrub.scrubbers.codes import CodeFacts
from claimscrub.scrubbers.context import (
    LEVEL_TWO,
    ClaimContext,
    LineView,
    dose_units,
    stated_discarded,
    whole_vial,
)
from claimscrub.scrubbers.findings import Fix, Flag, RemoveLine, SetLineFields, Together
from claimscrub.scrubbers.identify import Identity
from claimscrub.scrubbers.rule_ids import RuleId


def check(ctx: ClaimContext) -> Iterator[Flag]:
    for view in ctx.lines:
        yield from _unknown(ctx, view)
        if view.is_noc:
            yield from _noc_detail(ctx, view)
        if view.code_is_wrong and not _follows_administered_line(ctx, view):
            yield _mismatch(ctx, view)
        facts = view.code_facts
        if facts is not None and not facts.effective_on(view.line.service_date):
            yield _not_effective(ctx, view, facts)
        yield from _no_unit_size(ctx, view)


def _unknown(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    code = view.line.hcpcs
    if not LEVEL_TWO.match(code) or ctx.reference.cms.is_hcpcs_code(code):
        return
    severity, where = ctx.hcpcs_verdict(view.line.service_date)
    advice = (
        " check the code for a typing error; the payer will reject it."
        if severity == "hold"
        else ""
    )
    yield ctx.flag(
        RuleId.CODE_UNKNOWN,
        view.number,
        f"{code} is not a HCPCS Level II code {where}{advice}",
        severity=severity,
    )


def _no_unit_size(ctx: ClaimContext, view: LineView) -> Iterator[Flag]:
    facts, code = view.code_facts, view.line.hcpcs
    if facts is not None and (facts.noc or facts.unit is not None):
        return
    if facts is None and not (code.startswith("Q") and ctx.reference.cms.is_hcpcs_code(code)):
        return
    if facts is None and view.code_is_wrong:
        return
    yield ctx.flag(
        RuleId.CODE_NO_PACK,
        view.number,
        f"{code}: the catalog gives no billing unit for this code (no drug pack, and the "
        "CMS ASP pricing file gives none), so its units and waste were not checked.",
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
    identity = view.identity if view.is_drug_line else view.by_ndc
    assert identity is not None  # code_is_wrong implies an identified drug
    line = view.line
    problem = _what_is_wrong(ctx, view, identity)
    if view.disagree:
        return ctx.flag(
            RuleId.CODE_DRUG_MISMATCH,
            view.number,
            f"{problem} Check which drug was given and correct the NDC, the name or both.",
            severity="hold",
        )
    codes = ctx.product_codes(identity, line.service_date)
    if len(codes) != 1 or identity.family:
        return ctx.flag(
            RuleId.CODE_DRUG_MISMATCH,
            view.number,
            f"{problem} {_no_single_code(ctx, identity, codes, view)}",
            severity="hold",
        )
    right = codes[0]
    detail = line.drug
    units = dose_units(view, right)
    if detail is None or units is None:
        known = f"in {right.unit.unit}" if right.unit else "because the code has no unit size"
        return ctx.flag(
            RuleId.CODE_DRUG_MISMATCH,
            view.number,
            f"{problem} Bill {right.label}; the administered amount is not known {known}, "
            "so the units must be set by hand.",
            severity="hold",
        )
    fix = Together(
        SetLineFields(view.number, {"hcpcs": right.code, "units": units}),
        _recode_waste_lines(ctx, view, right),
    )
    return ctx.flag(
        RuleId.CODE_DRUG_MISMATCH,
        view.number,
        f"{problem} Bill {right.label} with {units} {_units_word(units)} for "
        f"{_amount_text(detail.administered, detail.dose_unit)}.",
        fix=fix,
    )


def _units_word(units: float) -> str:
    return "unit" if units == 1 else "units"


def _what_is_wrong(ctx: ClaimContext, view: LineView, identity: Identity) -> str:
    line = view.line
    if view.disagree:
        assert view.by_ndc is not None
        assert view.by_name is not None
        return (
            f"The line's {view.by_ndc.by} identifies {view.by_ndc.describe(ctx.codes)}, but "
            f"its {view.by_name.by} identifies {view.by_name.describe(ctx.codes)}."
        )
    drug = identity.describe(ctx.codes)
    facts = view.facts
    if facts is None:
        return f"{line.hcpcs} is not a drug code, but the line's {identity.by} identifies {drug}."
    if facts.noc:
        return (
            f"{line.hcpcs} is a not-otherwise-classified code, but the line's {identity.by} "
            f"identifies {drug}, which has a product-specific code."
        )
    return f"{facts.label} is billed, but the line's {identity.by} identifies {drug}."


def _no_single_code(
    ctx: ClaimContext, identity: Identity, codes: list[CodeFacts], view: LineView
) -> str:
    day = view.line.service_date
    if len(codes) > 1 or (identity.family and codes):
        listed = ", ".join(facts.label for facts in codes)
        return f"Several codes describe it on {day}: {listed}; bill the one for the product given."
    drug = identity.drug
    if drug is not None and drug.billing:
        return drug.billing[0].upper() + drug.billing[1:] + "."
    return f"No product-specific code for it is effective on {day}."


def _recode_waste_lines(ctx: ClaimContext, administered: LineView, right: CodeFacts) -> list[Fix]:
    """RULES.md 5: the waste line of the old code on the same date moves with its
    administered line; units = discarded amount / the new unit size, rounded down; charge
    at the fixed line's price per unit. Several waste lines (UNITS.WASTE_DUPLICATE) stay as
    they are: no fix changes them until a person has chosen one. A discarded amount of a
    whole vial or more of the new code (UNITS.WASTE_IMPLAUSIBLE) moves the line without
    resizing it."""
    wastes = [
        w for w in ctx.lines if w.is_waste_line and _administered_line_of(ctx, w) is administered
    ]
    if len(wastes) != 1:
        return []
    (waste,) = wastes
    amount = _waste_amount(ctx, administered, waste, right)
    if amount is None:
        return [SetLineFields(waste.number, {"hcpcs": right.code})]
    units = discarded_units(amount, right)
    if units < 1:
        return [RemoveLine(waste.number)]
    administered_units = dose_units(administered, right)
    assert administered_units is not None  # the fix is made only when the dose converts
    price = Decimal(administered.line.charge) / administered_units
    charge = money(price * units)
    return [SetLineFields(waste.number, {"hcpcs": right.code, "units": units, "charge": charge})]


def _waste_amount(
    ctx: ClaimContext, administered: LineView, waste: LineView, right: CodeFacts
) -> Decimal | None:
    """The discarded amount in the new code's unit, from the sources RULES.md orders (the
    administered lines of the old code and date, else the waste line); None when unknown,
    not convertible, or a whole vial or more."""
    same = [
        view
        for view in ctx.lines
        if view.is_administered_line
        and view.line.hcpcs == administered.line.hcpcs
        and view.line.service_date == administered.line.service_date
    ]
    _, amount = stated_discarded(same, [waste], right)
    return None if amount is None or whole_vial(amount, right) else amount


def _not_effective(ctx: ClaimContext, view: LineView, facts: CodeFacts) -> Flag:
    day = view.line.service_date
    if facts.effective is not None and day < facts.effective:
        when = f"took effect on {facts.effective}"
    else:
        when = f"ended on {facts.end}"
    return ctx.flag(
        RuleId.CODE_NOT_EFFECTIVE,
        view.number,
        f"{facts.label} {when}; the service date {day} is outside it. "
        "Bill the code in force on the service date.",
    )


def _amount_text(amount: float | None, unit: str | None) -> str:
    return f"{amount:g} {unit}" if amount is not None and unit else "the administered amount"
