"""Dose arithmetic: unit conversion and the CMS rounding of billing and discarded units.

Amounts are Decimals made from the JSON number's text, so 0.3 g is exactly 300 mg and a
rounding up never turns 300 into 301.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from claimscrub.scrubbers.codes import CodeFacts
from claimscrub.scrubbers.reference import Vial

_MASS_IN_MG = {"mcg": Decimal("0.001"), "mg": Decimal(1), "g": Decimal(1000)}
CENT = Decimal("0.01")


@lru_cache(maxsize=4096)  # doses, unit sizes and vial sizes repeat across claims
def decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def convert(amount: Decimal, from_unit: str, to_unit: str, vials: list[Vial]) -> Decimal | None:
    """``amount`` of ``from_unit`` in ``to_unit``, or None when no exact conversion exists.

    Mass converts freely; mL converts to mass only through the vial concentration, and only
    when every vial of the drug has the same one."""
    if from_unit == to_unit:
        return amount
    if from_unit in _MASS_IN_MG and to_unit in _MASS_IN_MG:
        return amount * _MASS_IN_MG[from_unit] / _MASS_IN_MG[to_unit]
    if from_unit == "mL" and to_unit in _MASS_IN_MG:
        per_ml = _mg_per_ml(vials)
        return None if per_ml is None else amount * per_ml / _MASS_IN_MG[to_unit]
    if from_unit in _MASS_IN_MG and to_unit == "mL":
        per_ml = _mg_per_ml(vials)
        return None if per_ml is None else amount * _MASS_IN_MG[from_unit] / per_ml
    return None


def _mg_per_ml(vials: list[Vial]) -> Decimal | None:
    concentrations = {
        decimal(vial.amount) * _MASS_IN_MG[vial.unit] / decimal(vial.volume_ml)
        for vial in vials
        if vial.volume_ml is not None and vial.unit in _MASS_IN_MG
    }
    return concentrations.pop() if len(concentrations) == 1 else None


def in_code_units(amount: float | None, dose_unit: str | None, facts: CodeFacts) -> Decimal | None:
    """An amount as written on the claim, in the code's unit of measure (not yet units).
    0 is 0 in any unit (RULES.md, "Units"); otherwise None when the code has no unit size
    or the amount does not convert."""
    if amount is None:
        return None
    if amount == 0:
        return Decimal(0)
    if dose_unit is None or facts.unit is None:
        return None
    return convert(decimal(amount), dose_unit, facts.unit.unit, facts.vials)


def billing_units(amount: Decimal, facts: CodeFacts) -> int:
    """Administered amount / unit size, rounded up (CMS: never fractional, never short)."""
    assert facts.unit is not None, "only codes with a unit size have billing units"
    return int((amount / decimal(facts.unit.amount)).to_integral_value(ROUND_CEILING))


def discarded_units(amount: Decimal, facts: CodeFacts) -> int:
    """Discarded amount / unit size, rounded down: only whole discarded units are billed."""
    assert facts.unit is not None, "only codes with a unit size have discarded units"
    return int((amount / decimal(facts.unit.amount)).to_integral_value(ROUND_FLOOR))


def vial_amounts(facts: CodeFacts) -> list[Decimal]:
    """The pack's vial sizes in the code's unit (those that convert)."""
    if facts.unit is None:
        return []
    sizes = (convert(decimal(v.amount), v.unit, facts.unit.unit, facts.vials) for v in facts.vials)
    return [size for size in sizes if size is not None]


def derived_waste(administered: Decimal, facts: CodeFacts) -> Decimal | None:
    """Waste from whole vials, when the pack has exactly one vial size."""
    sizes = vial_amounts(facts)
    if len(facts.vials) != 1 or len(sizes) != 1:
        return None
    vials = (administered / sizes[0]).to_integral_value(ROUND_CEILING)
    return vials * sizes[0] - administered


def amount_text(amount: Decimal) -> str:
    """``4`` for 4.0, ``0.5`` for 0.50: amounts as a person writes them."""
    return f"{amount.normalize():f}"


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENT, ROUND_HALF_UP))


def as_number(amount: Decimal) -> int | float:
    """A JSON number for the claim: an int when whole, so 4 stays 4 and not 4.0."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)
