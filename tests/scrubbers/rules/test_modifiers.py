"""MOD.*: shapes on any line, and the JW/JZ waste rules by plan, date and container."""

from __future__ import annotations

import pytest

from claimscrub.scrubbers.engine import Engine
from claimscrub.scrubbers.reference import Reference
from claimscrub.scrubbers.rulebook import CHECKS, default_engine
from tests.claims import (
    NOW,
    claim,
    elosulfase_line,
    line,
    office_visit_line,
    rules,
    scrub,
    submission,
)


def test_duplicates_compare_upper_case() -> None:
    result = scrub(claim(line(modifiers=["jz", "JZ"])))
    assert "MOD.DUPLICATE" in rules(result, "fix")
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["modifiers"] == ["jz"]


def test_invalid_modifier_keeps_waste_rules_off_the_line() -> None:
    result = scrub(claim(line(modifiers=["-POS"])))
    assert "MOD.INVALID" in rules(result, "hold")
    assert "MOD.JZ_MISSING" not in rules(result)


@pytest.mark.parametrize(
    ("service_date", "required"), [("2023-06-30", False), ("2023-07-01", True)]
)
def test_medicare_requires_jz_from_2023_07_01(service_date: str, required: bool) -> None:
    result = scrub(claim(line(modifiers=[], service_date=service_date)))
    assert ("MOD.JZ_MISSING" in rules(result)) is required


def test_commercial_plans_do_not_require_jz() -> None:
    document = claim(line(modifiers=[]), payer={"id": "C", "plan_type": "commercial"})
    assert "MOD.JZ_MISSING" not in rules(scrub(document))


def test_waste_below_one_unit_gets_jz_not_a_jw_line() -> None:
    result = scrub(claim(elosulfase_line(drug={"discarded": 0.5}), diagnoses=["E76.210"]))
    assert "MOD.JZ_MISSING" in rules(result, "fix")
    assert "MOD.JW_LINE_MISSING" not in rules(result)


def test_jw_line_keeps_the_discarded_amount_in_the_dose_unit() -> None:
    in_grams = elosulfase_line(drug={"administered": 0.046, "discarded": 0.004, "dose_unit": "g"})
    result = scrub(claim(in_grams, diagnoses=["E76.210"]))
    assert result.corrected_claim is not None
    waste = result.corrected_claim["lines"][1]
    assert (waste["units"], waste["drug"]["discarded"], waste["drug"]["dose_unit"]) == (
        4,
        0.004,
        "g",
    )
    assert (waste["number"], waste["modifiers"], waste["charge"]) == (2, ["JW"], "160.00")


def test_jz_with_unknown_waste_and_a_waste_line_is_removed() -> None:
    administered = elosulfase_line(modifiers=["JZ"], drug={"administered": None, "discarded": None})
    waste = elosulfase_line(
        2, units=4, charge="160.00", modifiers=["JW"], drug={"administered": 0, "discarded": None}
    )
    result = scrub(claim(administered, waste, diagnoses=["E76.210"]))
    assert "MOD.JZ_WITH_WASTE" in rules(result, "fix")


def test_noc_waste_needs_a_person() -> None:
    dupilumab = line(
        hcpcs="J3590",
        units=1,
        modifiers=[],
        drug={"name": "dupilumab", "ndc": "00024-5911-01", "administered": 200, "discarded": 100},
    )
    result = scrub(claim(dupilumab, diagnoses=["L20.9"]))
    assert "MOD.NOC_WASTE_LINE_MISSING" in rules(result, "hold")


def test_multi_dose_drug_loses_jw_and_jz() -> None:
    reference = default_engine().reference
    pack = reference.packs["J2323"]
    multi = pack.model_copy(
        update={"drug": pack.drug.model_copy(update={"container": "multi_dose"})}
    )
    packs = {**reference.packs, "J2323": multi}
    fields = {name: getattr(reference, name) for name in Reference.model_fields}
    engine = Engine(Reference(**{**fields, "packs": packs}), CHECKS)
    result = engine.scrub(submission(claim(line(modifiers=["JZ"]))), NOW)
    assert "MOD.WASTE_MODIFIER_NOT_APPLICABLE" in rules(result, "fix")
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["modifiers"] == []


def test_non_drug_lines_keep_their_25() -> None:
    result = scrub(claim(office_visit_line(1), line(2)))
    assert result.outcome == "pass", rules(result)


def test_a_mistyped_modifier_gets_the_likely_one_suggested() -> None:
    (finding,) = [
        f for f in scrub(claim(line(modifiers=["-JZ"]))).findings if f.rule == "MOD.INVALID"
    ]
    assert finding.message.endswith(
        "'-JZ' is not a modifier (exactly two letters or digits): did you mean JZ?"
    )


def test_pos_written_as_a_modifier_is_sent_to_place_of_service() -> None:
    (finding,) = [
        f for f in scrub(claim(line(modifiers=["-POS"]))).findings if f.rule == "MOD.INVALID"
    ]
    assert "place_of_service" in finding.message
    assert "did you mean" not in finding.message


def test_too_many_says_which_modifier_the_correction_added() -> None:
    result = scrub(claim(line(modifiers=["KX", "GA", "GZ", "Q0"])))
    (finding,) = [f for f in result.findings if f.rule == "MOD.TOO_MANY"]
    assert "The claim sent 4; the correction added JZ" in finding.message


@pytest.mark.parametrize(
    ("service_date", "severity"),
    [("2025-09-30", "hold"), ("2025-10-01", "info")],  # the shipped file covers 2025 Q3
)
def test_a_modifier_the_hcpcs_file_lacks_is_held_only_within_its_period(
    service_date: str, severity: str
) -> None:
    document = claim(line(modifiers=["JZ", "JX"], service_date=service_date))
    (finding,) = [f for f in scrub(document).findings if f.rule == "MOD.UNKNOWN"]
    assert finding.severity == severity
    assert "JX" in finding.message
