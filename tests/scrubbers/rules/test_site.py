"""SITE.*: the POS code set in force, facility drugs, and site-of-care programs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from claimscrub.scrubbers.rules import site
from tests.claims import (
    claim,
    commercial,
    findings,
    flags,
    line,
    office_visit_line,
    reference,
    summary,
    waste_line,
)


def site_rules(document: dict[str, object]) -> list[tuple[str, str, int | None]]:
    return summary(document, site.check)


def test_office_claim_passes() -> None:
    assert site_rules(claim()) == []


@pytest.mark.parametrize("pos", ["90", "00", "28", "59", "98"])
def test_unassigned_pos_is_a_claim_level_hold(pos: str) -> None:
    assert site_rules(claim(place_of_service=pos)) == [("SITE.POS_INVALID", "hold", None)]


@pytest.mark.parametrize(
    ("service_date", "invalid"),
    [("2024-07-31", True), ("2024-08-01", False), ("2026-11-02", False)],
)
def test_pace_center_pos_66_is_in_force_from_2024_08_01(service_date: str, invalid: bool) -> None:
    document = claim(line(service_date=service_date), place_of_service="66")
    assert site_rules(document) == ([("SITE.POS_INVALID", "hold", None)] if invalid else [])


def test_pos_is_judged_on_the_earliest_service_date() -> None:
    lines = [line(1, service_date="2024-08-15"), line(2, service_date="2024-07-20")]
    (found,) = findings(claim(*lines, place_of_service="66"), site.check)
    assert found.rule == "SITE.POS_INVALID"
    assert "2024-08-01" in found.message
    assert "2024-07-20" in found.message


def test_inpatient_drug_line_is_a_facility_drug() -> None:
    assert site_rules(claim(place_of_service="21")) == [("SITE.FACILITY_DRUG", "hold", 1)]


def test_facility_drug_is_reported_on_every_drug_line_and_only_drug_lines() -> None:
    lines = [office_visit_line(1), line(2, modifiers=[]), waste_line(3)]
    assert site_rules(claim(*lines, place_of_service="23")) == [
        ("SITE.FACILITY_DRUG", "hold", 2),
        ("SITE.FACILITY_DRUG", "hold", 3),
    ]


@pytest.mark.parametrize("pos", ["19", "22"])
def test_medicare_hospital_outpatient_drug_is_billed_by_the_hospital(pos: str) -> None:
    (found,) = findings(claim(place_of_service=pos), site.check)
    assert (found.rule, found.line) == ("SITE.FACILITY_DRUG", 1)
    assert "OPPS" in found.message


def test_commercial_hospital_outpatient_is_not_a_facility_drug() -> None:
    document = commercial(
        place_of_service="22", attestations=["rems_enrolled", "site_of_care_exception"]
    )
    assert site_rules(document) == []


def started(days_before: int) -> dict[str, object]:
    """A J2323 line given ``days_before`` days after the therapy start (service 2026-11-02)."""
    start = date(2026, 11, 2) - timedelta(days=days_before)
    return line(drug={"therapy_start_date": start.isoformat()})


@pytest.mark.parametrize(("days", "held"), [(0, False), (45, False), (46, True), (661, True)])
def test_site_of_care_after_the_45_day_initial_period(days: int, held: bool) -> None:
    document = commercial(started(days), place_of_service="22")
    assert site_rules(document) == ([("SITE.SITE_OF_CARE", "hold", 1)] if held else [])


def test_site_of_care_message_names_the_days_and_the_way_out() -> None:
    (found,) = findings(commercial(started(46), place_of_service="19"), site.check)
    assert "46 days after the therapy start 2026-09-17" in found.message
    assert "45 days" in found.message
    assert "site_of_care_exception" in found.message


def test_site_of_care_without_a_therapy_start_date_is_held() -> None:
    document = commercial(line(drug={"therapy_start_date": None}), place_of_service="22")
    assert site_rules(document) == [("SITE.SITE_OF_CARE", "hold", 1)]


def test_site_of_care_exception_attested() -> None:
    document = commercial(
        place_of_service="19", attestations=["rems_enrolled", "site_of_care_exception"]
    )
    assert site_rules(document) == []


@pytest.mark.parametrize("pos", ["11", "12", "49"])
def test_site_of_care_applies_only_to_hospital_outpatient(pos: str) -> None:
    assert site_rules(commercial(place_of_service=pos)) == []


def test_plan_without_a_site_of_care_program() -> None:
    medicaid = commercial(payer={"id": "MCD-1", "plan_type": "medicaid"}, place_of_service="22")
    assert site_rules(medicaid) == []


def test_site_of_care_skips_waste_lines_and_wrong_codes() -> None:
    lines = [line(1, modifiers=[]), waste_line(2), line(3, hcpcs="J2329", units=30)]
    assert site_rules(commercial(*lines, place_of_service="22")) == [
        ("SITE.SITE_OF_CARE", "hold", 1)
    ]


def test_hospital_outpatient_pos_come_from_the_code_sets() -> None:
    ref = reference()
    only_off_campus = ref.model_copy(
        update={"code_sets": ref.code_sets.model_copy(update={"hospital_outpatient_pos": ["19"]})}
    )
    on_campus = commercial(place_of_service="22")
    assert [flag.finding.rule for flag in flags(on_campus, site.check, only_off_campus)] == []
    assert [flag.finding.rule for flag in flags(on_campus, site.check)] == ["SITE.SITE_OF_CARE"]
