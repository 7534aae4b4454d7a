"""UNITS.*: conversion, CMS rounding, and amounts that add up per code and date."""

from __future__ import annotations

import pytest

from claimscrub.scrubbers.rules import units
from tests.claims import claim, elosulfase_line, flags, line, rules, scrub, waste_line


@pytest.mark.parametrize(
    ("administered", "dose_unit"),
    [(0.3, "g"), (300000, "mcg"), (15, "mL"), (300, "mg")],
)
def test_dose_converts_exactly_to_mg(administered: float, dose_unit: str) -> None:
    document = claim(line(units=300, drug={"administered": administered, "dose_unit": dose_unit}))
    assert "UNITS.DOSE_MISMATCH" not in rules(scrub(document))


def test_half_a_vial_in_ml_is_150_units() -> None:
    half_a_vial = {"administered": 7.5, "dose_unit": "mL", "discarded": None}
    result = scrub(claim(line(units=15, drug=half_a_vial)))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["units"] == 150


def test_billing_units_round_up_for_a_50_mg_unit() -> None:
    nandrolone = line(
        hcpcs="J2320",
        units=1,
        modifiers=[],
        drug={"name": "nandrolone", "ndc": None, "administered": 75},
    )
    result = scrub(claim(nandrolone, diagnoses=["D63.1"]))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["units"] == 2  # 75 mg / 50 mg = 1.5 -> 2


def test_ml_without_a_vial_concentration_sets_no_units() -> None:
    drug = {"name": "naltrexone", "ndc": None, "administered": 4, "dose_unit": "mL"}
    naltrexone = line(hcpcs="J2315", drug=drug)
    assert [f.finding.rule for f in flags(claim(naltrexone), units.check)] == []


def test_discarded_units_round_down_on_the_waste_line() -> None:
    administered = elosulfase_line(drug={"discarded": 4.5})
    waste = elosulfase_line(
        2, units=5, charge="200.00", modifiers=["JW"], drug={"administered": 0, "discarded": 4.5}
    )
    result = scrub(claim(administered, waste, diagnoses=["E76.210"]))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][1]["units"] == 4
    assert result.corrected_claim["lines"][1]["charge"] == "160.00"


def test_waste_below_one_unit_removes_the_jw_line() -> None:
    administered = elosulfase_line(drug={"discarded": 0.5})
    waste = elosulfase_line(
        2, units=1, charge="40.00", modifiers=["JW"], drug={"administered": 0, "discarded": 0.5}
    )
    result = scrub(claim(administered, waste, diagnoses=["E76.210"]))
    assert "UNITS.WASTE_MISMATCH" in rules(result, "fix")
    assert result.corrected_claim is not None
    assert [each["number"] for each in result.corrected_claim["lines"]] == [1]


def test_max_units_add_up_over_lines_of_one_code_and_date() -> None:
    first = line(units=200, drug={"administered": 200})
    second = line(2, units=200, drug={"administered": 200})
    result = scrub(claim(first, second))
    held = [f for f in result.findings if f.rule == "UNITS.MAX_EXCEEDED"]
    assert [(f.line, f.severity) for f in held] == [(1, "hold")]


def test_max_units_do_not_add_up_across_dates() -> None:
    first = line(units=200, drug={"administered": 200})
    second = line(2, units=200, service_date="2026-11-30", drug={"administered": 200})
    assert "UNITS.MAX_EXCEEDED" not in rules(scrub(claim(first, second)))


def test_fractional_units_without_a_dose_hold() -> None:
    undosed = line(units=2.5, drug={"administered": None, "discarded": None})
    result = scrub(claim(undosed))
    assert "UNITS.FRACTIONAL" in rules(result, "hold")


def test_fractional_units_with_a_dose_are_fixed_not_held() -> None:
    result = scrub(claim(line(units=299.5)))
    assert "UNITS.DOSE_MISMATCH" in rules(result, "fix")
    assert "UNITS.FRACTIONAL" not in rules(result)


def test_a_claim_of_one_jw_line_under_one_unit_is_held_not_emptied() -> None:
    waste = elosulfase_line(
        units=1, charge="40.00", modifiers=["JW"], drug={"administered": 0, "discarded": 0.5}
    )
    result = scrub(claim(waste, diagnoses=["E76.210"]))
    assert ("UNITS.WASTE_MISMATCH", "hold") in [(f.rule, f.severity) for f in result.findings]
    assert result.corrected_claim is None


def test_a_discarded_amount_that_does_not_convert_is_unknown_not_skipped() -> None:
    # The administered line states its discard in IU, which mg does not convert to: the
    # discarded amount is unknown (RULES.md), so the waste line's own 10 mg is not used.
    administered = line(drug={"administered": 290, "discarded": 10, "dose_unit": "IU"})
    waste = waste_line(2, units=3, drug={"discarded": 10})
    result = scrub(claim(administered, waste))
    assert "UNITS.WASTE_MISMATCH" not in rules(result)
