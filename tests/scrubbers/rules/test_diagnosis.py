"""DX.*: ICD-10-CM validity, billability, pointers, and support for the drug's indications."""

from __future__ import annotations

import pytest

from claimscrub.scrubbers.rules import diagnosis
from tests.claims import (
    claim,
    findings,
    line,
    naltrexone_line,
    office_visit_line,
    summary,
    waste_line,
)


def dx_rules(document: dict[str, object]) -> list[tuple[str, str, int | None]]:
    return summary(document, diagnosis.check)


@pytest.mark.parametrize("written", ["G35.A", "G35A", "g35.a", " g35a ", "K50.90", "k5090"])
def test_billable_indicated_code_with_or_without_dot_and_any_case(written: str) -> None:
    assert dx_rules(claim(diagnoses=[written])) == []


@pytest.mark.parametrize(
    "written", ["G35.9", "G359", "G30-G32", "G35.A.", "G3.5A", "XYZ", "G35 A", "12"]
)
def test_not_an_icd_10_cm_code(written: str) -> None:
    assert dx_rules(claim(diagnoses=[written])) == [("DX.INVALID", "hold", 1)]


def test_invalid_message_names_the_diagnosis_and_line() -> None:
    (found,) = findings(claim(diagnoses=["G35.9"]), diagnosis.check)
    assert "Diagnosis 1 (G35.9), pointed to by line 1" in found.message


def test_free_text_diagnosis_is_not_echoed() -> None:
    (found,) = findings(claim(diagnoses=["call the patient back"]), diagnosis.check)
    assert found.rule == "DX.INVALID"
    assert "patient back" not in found.message


@pytest.mark.parametrize("written", ["G35", "g35"])
def test_category_is_not_billable_and_lists_its_billable_codes(written: str) -> None:
    (found,) = findings(claim(diagnoses=[written]), diagnosis.check)
    assert (found.rule, found.severity, found.line) == ("DX.NOT_BILLABLE", "hold", 1)
    for billable in ("G35.A", "G35.C1", "G35.D"):
        assert billable in found.message
    assert "G35.C," not in found.message  # G35.C is itself a category


def test_large_category_lists_a_few_codes_and_counts_the_rest() -> None:
    (found,) = findings(claim(diagnoses=["F10"]), diagnosis.check)
    assert found.rule == "DX.NOT_BILLABLE"
    assert "more under F10" in found.message


def test_subcategory_needing_a_7th_character_is_not_billable() -> None:
    assert dx_rules(claim(diagnoses=["S72.001"])) == [("DX.NOT_BILLABLE", "hold", 1)]
    # with its 7th character it is billable (and no indication of natalizumab)
    assert dx_rules(claim(diagnoses=["S72.001A"])) == [("DX.NOT_SUPPORTED", "hold", 1)]


def test_diagnoses_no_line_points_to_are_not_judged() -> None:
    assert dx_rules(claim(diagnoses=["G35.A", "G35.9", "G35"])) == []


def test_a_bad_diagnosis_is_reported_once_on_the_lowest_line_pointing_to_it() -> None:
    lines = [line(3), line(2)]
    (found,) = findings(claim(*lines, diagnoses=["G35.9"]), diagnosis.check)
    assert (found.rule, found.line) == ("DX.INVALID", 2)
    assert "lines 2, 3" in found.message


def test_pointer_outside_the_diagnoses() -> None:
    document = claim(line(diagnosis_pointers=[1, 5, 0]))
    (found,) = findings(document, diagnosis.check)
    assert (found.rule, found.severity, found.line) == ("DX.POINTER_INVALID", "hold", 1)
    assert "5, 0" in found.message
    assert "1..1" in found.message


def test_pointer_rules_apply_to_any_line() -> None:
    document = claim(office_visit_line(1, diagnosis_pointers=[2]), line(2), diagnoses=["G35"])
    assert dx_rules(document) == [("DX.POINTER_INVALID", "hold", 1), ("DX.NOT_BILLABLE", "hold", 2)]


def test_drug_given_for_a_diagnosis_outside_its_indications() -> None:
    (found,) = findings(claim(diagnoses=["J45.50"]), diagnosis.check)
    assert (found.rule, found.severity, found.line) == ("DX.NOT_SUPPORTED", "hold", 1)
    assert "J45.50" in found.message
    assert "G35.A" in found.message  # the indications, dotted


def test_one_indicated_diagnosis_among_several_is_enough() -> None:
    document = claim(line(diagnosis_pointers=[1, 2]), diagnoses=["J45.50", "g35a"])
    assert dx_rules(document) == []


def test_indication_is_a_prefix_match() -> None:
    naltrexone = naltrexone_line()
    assert dx_rules(claim(naltrexone, diagnoses=["F10.20"])) == []
    assert dx_rules(claim(naltrexone, diagnoses=["F10.10"])) == [("DX.NOT_SUPPORTED", "hold", 1)]


def test_not_supported_is_silent_when_no_pointed_diagnosis_is_billable() -> None:
    document = claim(line(diagnosis_pointers=[1, 2]), diagnoses=["G35.9", "G35"])
    assert dx_rules(document) == [("DX.INVALID", "hold", 1), ("DX.NOT_BILLABLE", "hold", 1)]


def test_billable_unsupported_beside_a_category_is_not_supported() -> None:
    document = claim(line(diagnosis_pointers=[1, 2]), diagnoses=["J45.50", "G35"])
    assert dx_rules(document) == [("DX.NOT_BILLABLE", "hold", 1), ("DX.NOT_SUPPORTED", "hold", 1)]


def test_waste_line_follows_its_administered_line() -> None:
    document = claim(
        line(1, modifiers=[]),
        waste_line(2, diagnosis_pointers=[2]),
        diagnoses=["G35.A", "J45.50"],
    )
    assert dx_rules(document) == []


def test_line_with_a_wrong_code_is_not_judged_until_fixed() -> None:
    # naltrexone on J2320 (nandrolone's code): judged under J2315 once CODE fixes it.
    naltrexone = naltrexone_line(hcpcs="J2320")
    assert dx_rules(claim(naltrexone, diagnoses=["F10.10"])) == []


def test_noc_line_is_judged_by_the_drug_its_ndc_names() -> None:
    dupilumab = line(
        hcpcs="J3590",
        units=1,
        modifiers=[],
        drug={"name": "dupilumab", "ndc": "00024-5911-01", "administered": 300},
    )
    assert dx_rules(claim(dupilumab, diagnoses=["L20.9"])) == []
    assert dx_rules(claim(dupilumab, diagnoses=["G35.A"])) == [("DX.NOT_SUPPORTED", "hold", 1)]


def test_noc_line_of_an_unknown_drug_is_not_judged() -> None:
    unknown = line(hcpcs="J3490", units=1, drug={"name": "somethingmab", "ndc": None})
    assert dx_rules(claim(unknown, diagnoses=["J45.50"])) == []


def test_lookups_are_cached() -> None:
    diagnosis.diagnosis.cache_clear()
    dx_rules(claim())
    dx_rules(claim())
    info = diagnosis.diagnosis.cache_info()
    assert (info.misses, info.hits) == (1, 1)
