"""ADMIN.MISSING, MOD.EM_WITHOUT_25 and CODE.EM_NOT_PAYABLE: the drug's administration and
the visit beside it."""

from __future__ import annotations

from typing import Any

import pytest

from claimscrub.scrubbers.rules import administration
from claimscrub.scrubbers.rules.administration import in_ranges
from tests.claims import claim, findings, line, office_visit_line, reference, summary, waste_line

# The base claim: Medicare Part B, POS 11, one J2323 line on 2026-11-02.
MEDICARE_ADVANTAGE = {
    "id": "MA-1",
    "name": "Humana Gold Plus PPO",
    "plan_type": "medicare_advantage",
}
MEDICAID = {"id": "MCD-1", "name": "Ohio Medicaid", "plan_type": "medicaid"}
COMMERCIAL = {"id": "COM-1", "name": "Aetna Choice POS II", "plan_type": "commercial"}


def admin_rules(document: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return summary(document, administration.check)


def service(number: int, code: str, *modifiers: str, **fields: Any) -> dict[str, Any]:
    """A line that is not a drug line (a visit, an administration, a procedure)."""
    return office_visit_line(number, hcpcs=code, modifiers=list(modifiers), **fields)


# Code ranges


@pytest.mark.parametrize(
    ("code", "inside"),
    [
        ("96359", False),
        ("96360", True),
        ("96372", True),
        ("96379", True),
        ("96380", False),
        ("96400", False),
        ("96401", True),
        ("96413", True),
        ("96549", True),
        ("96550", False),
        ("9636F", False),  # a CPT Category II code is in no range of five-digit codes
        ("J9636", False),
    ],
)
def test_drug_administration_codes(code: str, inside: bool) -> None:
    assert in_ranges(code, reference().code_sets.drug_administration_codes) is inside


@pytest.mark.parametrize(
    ("code", "inside"),
    [
        ("J0000", True),
        ("J2323", True),
        ("J6999", True),
        ("J7000", False),
        ("J7050", False),
        ("J8499", False),
        ("J9000", True),
        ("J9999", True),
        ("Q5100", False),
        ("Q5101", True),
        ("Q5134", True),
        ("Q5999", True),
        ("Q0166", False),
        ("K0001", False),
        ("90000", False),
    ],
)
def test_separately_administered_drug_codes(code: str, inside: bool) -> None:
    assert in_ranges(code, reference().code_sets.separately_administered_drug_codes) is inside


# ADMIN.MISSING


def test_a_drug_alone_in_the_office_misses_its_administration() -> None:
    assert admin_rules(claim()) == [("ADMIN.MISSING", "info", 1)]


@pytest.mark.parametrize("code", ["96365", "96372", "96413", "64615", "20610", "99500", "99201"])
def test_any_procedure_code_on_the_date_is_the_administration(code: str) -> None:
    assert admin_rules(claim(line(1), service(2, code))) == []


@pytest.mark.parametrize("code", ["99202", "99214", "99215", "99223", "99499", "0001F", "0500T"])
def test_visits_and_non_five_digit_codes_are_not_an_administration(code: str) -> None:
    assert admin_rules(claim(line(1), service(2, code))) == [("ADMIN.MISSING", "info", 1)]


def test_an_administration_on_another_date_does_not_count() -> None:
    lines = [line(1), service(2, "96365", service_date="2026-11-01")]
    assert admin_rules(claim(*lines)) == [("ADMIN.MISSING", "info", 1)]


@pytest.mark.parametrize(
    ("pos", "missing"), [("11", True), ("49", True), ("19", False), ("12", False)]
)
def test_only_in_the_office_and_independent_clinic(pos: str, missing: bool) -> None:
    expected = [("ADMIN.MISSING", "info", 1)] if missing else []
    assert admin_rules(claim(place_of_service=pos)) == expected


def test_waste_lines_are_not_judged() -> None:
    lines = [line(1, modifiers=[]), waste_line(2)]
    assert admin_rules(claim(*lines)) == [("ADMIN.MISSING", "info", 1)]


def test_each_administered_line_is_reported() -> None:
    lines = [line(1), line(2, service_date="2026-11-01")]
    assert admin_rules(claim(*lines)) == [
        ("ADMIN.MISSING", "info", 1),
        ("ADMIN.MISSING", "info", 2),
    ]


def test_admin_missing_message() -> None:
    (found,) = findings(claim(place_of_service="49"), administration.check)
    assert "J2323 on 2026-11-02 at place of service 49 (Independent clinic)" in found.message
    assert "64615" in found.message
    assert "20610" in found.message


# MOD.EM_WITHOUT_25


def em_claim(
    visit: str = "99214", *modifiers: str, given: str = "96365", **fields: Any
) -> dict[str, Any]:
    """A visit, a drug administration and the drug, all on 2026-11-02."""
    return claim(service(1, visit, *modifiers), service(2, given), line(3), **fields)


def test_em_without_25_beside_an_infusion() -> None:
    assert admin_rules(em_claim()) == [("MOD.EM_WITHOUT_25", "hold", 1)]


def test_em_with_25_passes() -> None:
    assert admin_rules(em_claim("99214", "25")) == []


def test_25_on_the_drug_line_does_not_count() -> None:
    lines = [service(1, "99213"), service(2, "96372"), line(3, modifiers=["JZ", "25"])]
    assert admin_rules(claim(*lines, payer=COMMERCIAL)) == [("MOD.EM_WITHOUT_25", "hold", 1)]


def test_em_on_another_date_needs_no_25() -> None:
    lines = [service(1, "99214", service_date="2026-11-01"), service(2, "96365"), line(3)]
    assert admin_rules(claim(*lines)) == []


@pytest.mark.parametrize(("visit", "held"), [("99202", True), ("99215", True), ("99221", False)])
def test_em_codes_are_99202_to_99215(visit: str, held: bool) -> None:
    assert admin_rules(em_claim(visit)) == ([("MOD.EM_WITHOUT_25", "hold", 1)] if held else [])


@pytest.mark.parametrize(
    ("given", "held"),
    [("96360", True), ("96379", True), ("96401", True), ("96549", True), ("96380", False)],
)
def test_drug_administration_codes_bring_the_rule(given: str, held: bool) -> None:
    document = em_claim(given=given)
    assert admin_rules(document) == ([("MOD.EM_WITHOUT_25", "hold", 1)] if held else [])


@pytest.mark.parametrize("payer", [COMMERCIAL, MEDICAID])
def test_99211_never_needs_25(payer: dict[str, str]) -> None:
    assert admin_rules(em_claim("99211", payer=payer)) == []


def test_em_without_25_message_names_every_administration() -> None:
    lines = [service(1, "99214"), service(2, "96365"), service(4, "96372"), line(3)]
    (found,) = findings(claim(*lines), administration.check)
    assert "99214 on 2026-11-02 has no modifier 25" in found.message
    assert "drug administrations 96365 (line 2) and 96372 (line 4)" in found.message
    assert "add 25" in found.message


def test_em_with_a_hyphenated_25_is_held_and_told_how_to_write_it() -> None:
    (found,) = findings(em_claim("99214", "-25"), administration.check)
    assert found.rule == "MOD.EM_WITHOUT_25"
    assert "drug administration 96365 (line 2)" in found.message
    assert "its '-25' is not a valid modifier: write it as 25" in found.message


# CODE.EM_NOT_PAYABLE


@pytest.mark.parametrize("payer", [None, MEDICARE_ADVANTAGE])
@pytest.mark.parametrize("modifiers", [(), ("25",)])
def test_medicare_does_not_pay_99211_with_drug_administration(
    payer: dict[str, str] | None, modifiers: tuple[str, ...]
) -> None:
    fields = {"payer": payer} if payer else {}
    document = em_claim("99211", *modifiers, given="96372", **fields)
    assert admin_rules(document) == [("CODE.EM_NOT_PAYABLE", "hold", 1)]


@pytest.mark.parametrize("payer", [MEDICAID, COMMERCIAL])
def test_other_plans_are_not_judged_for_99211(payer: dict[str, str]) -> None:
    assert admin_rules(em_claim("99211", given="96372", payer=payer)) == []


def test_99211_on_another_date_is_payable() -> None:
    lines = [service(1, "99211", service_date="2026-11-01"), service(2, "96372"), line(3)]
    assert admin_rules(claim(*lines)) == []


def test_em_not_payable_message_names_the_payer_and_the_administration() -> None:
    (found,) = findings(em_claim("99211", payer=MEDICARE_ADVANTAGE), administration.check)
    assert "99211 on 2026-11-02 is not paid by Humana Gold Plus PPO" in found.message
    assert "drug administration 96365 (line 2)" in found.message
    assert "Remove the visit" in found.message


def test_an_unnamed_payer_is_named_by_its_plan_type() -> None:
    payer = {"id": "MA-1", "plan_type": "medicare_advantage"}
    (found,) = findings(em_claim("99211", payer=payer), administration.check)
    assert "not paid by the Medicare Advantage plan" in found.message
