"""CLAIM.*: timely filing, service after submission, and fields the contract does not define."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from claimscrub.scrubbers.context import ClaimContext
from claimscrub.scrubbers.reference import Reference
from claimscrub.scrubbers.rules import claim as claim_rules
from claimscrub.scrubbers.rules.claim import add_months
from tests.claims import (
    PATIENT_DATA,
    claim,
    findings,
    flags,
    line,
    office_visit_line,
    reference,
    rules,
    scrub,
    submission,
    summary,
    waste_line,
)

# The base claim: submitted 2026-11-03T14:05:00Z to Medicare Part B, one line on 2026-11-02.


def claim_rules_of(document: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return summary(document, claim_rules.check)


def filed(service_date: str, submitted_at: str = "2026-11-03T14:05:00Z", **fields: Any) -> Any:
    """The base claim with its line served on ``service_date``, submitted at ``submitted_at``."""
    return claim(line(service_date=service_date), submitted_at=submitted_at, **fields)


def with_filing_limit(months: int) -> Reference:
    ref = reference()
    medicare = ref.plans["medicare"].model_copy(update={"timely_filing_months": months})
    return ref.model_copy(update={"plans": {**ref.plans, "medicare": medicare}})


def test_base_claim_passes() -> None:
    assert claim_rules_of(claim()) == []


# CLAIM.TIMELY_FILING


@pytest.mark.parametrize(
    ("service_date", "late"),
    [("2025-11-03", False), ("2025-11-02", True), ("2026-01-15", False), ("2023-03-15", True)],
)
def test_timely_filing_is_12_months_after_the_service_date(service_date: str, late: bool) -> None:
    held = [("CLAIM.TIMELY_FILING", "hold", 1)] if late else []
    assert claim_rules_of(filed(service_date)) == held


@pytest.mark.parametrize("plan_type", ["medicare", "medicare_advantage", "medicaid", "commercial"])
def test_every_plan_type_has_the_12_month_default(plan_type: str) -> None:
    payer = {"id": "P-1", "plan_type": plan_type}
    assert claim_rules_of(filed("2025-11-03", payer=payer)) == []
    assert claim_rules_of(filed("2025-11-02", payer=payer)) == [("CLAIM.TIMELY_FILING", "hold", 1)]


@pytest.mark.parametrize(
    ("submitted", "late"),
    [("2025-02-28", False), ("2025-03-01", True)],
)
def test_the_last_day_is_clamped_to_the_end_of_a_shorter_month(submitted: str, late: bool) -> None:
    # 2025-01-31 + 1 month: there is no 2025-02-31, so the last day is 2025-02-28.
    document = filed("2025-01-31", f"{submitted}T12:00:00Z")
    found = [flag.finding.rule for flag in flags(document, claim_rules.check, with_filing_limit(1))]
    assert found == (["CLAIM.TIMELY_FILING"] if late else [])


@pytest.mark.parametrize(("submitted", "late"), [("2025-02-28", False), ("2025-03-01", True)])
def test_a_leap_day_service_is_clamped_to_february_28(submitted: str, late: bool) -> None:
    held = [("CLAIM.TIMELY_FILING", "hold", 1)] if late else []
    assert claim_rules_of(filed("2024-02-29", f"{submitted}T12:00:00Z")) == held


@pytest.mark.parametrize(
    ("submitted_at", "late"),
    [
        # 2026-11-02 04:30 in UTC, but 2026-11-01 where it was written: the last day.
        ("2026-11-01T23:30:00-05:00", False),
        # 2026-11-01 22:30 in UTC, but 2026-11-02 where it was written: one day late.
        ("2026-11-02T00:30:00+02:00", True),
    ],
)
def test_the_submission_date_is_read_in_its_own_offset(submitted_at: str, late: bool) -> None:
    held = [("CLAIM.TIMELY_FILING", "hold", 1)] if late else []
    assert claim_rules_of(filed("2025-11-01", submitted_at)) == held


def test_timely_filing_is_judged_per_line_on_any_line() -> None:
    lines = [
        office_visit_line(1, service_date="2025-10-30"),
        line(2, service_date="2025-10-30"),
        line(3, service_date="2025-11-03"),
    ]
    assert claim_rules_of(claim(*lines)) == [
        ("CLAIM.TIMELY_FILING", "hold", 1),
        ("CLAIM.TIMELY_FILING", "hold", 2),
    ]


def test_timely_filing_message_names_the_payer_the_limit_and_the_dates() -> None:
    (found,) = findings(filed("2025-10-30"), claim_rules.check)
    assert "J2323 on 2025-10-30" in found.message
    assert "12-month timely filing limit of Medicare Part B" in found.message
    assert "last day to file it was 2026-10-30" in found.message
    assert "submitted 2026-11-03, 4 days later" in found.message
    assert "plan_type" not in found.message
    assert "medicare" not in found.message


def test_one_day_late_is_singular() -> None:
    (found,) = findings(filed("2025-11-02"), claim_rules.check)
    assert "1 day later" in found.message


def test_a_payer_without_a_name_is_named_by_its_plan_type() -> None:
    payer = {"id": "COM-1", "plan_type": "commercial"}
    (found,) = findings(filed("2025-10-30", payer=payer), claim_rules.check)
    assert "timely filing limit of the commercial plan" in found.message


def test_a_limit_past_the_last_representable_date_never_passes() -> None:
    document = filed("9999-06-01", "9999-12-31T12:00:00Z")
    assert claim_rules_of(document) == []


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 11, 3), 12, date(2026, 11, 3)),
        (date(2025, 1, 14), 25, date(2027, 2, 14)),
        (date(9999, 6, 1), 12, date.max),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# CLAIM.SERVICE_AFTER_SUBMISSION


@pytest.mark.parametrize(
    ("service_date", "after"), [("2026-11-02", False), ("2026-11-03", False), ("2026-11-04", True)]
)
def test_service_after_the_submission_date(service_date: str, after: bool) -> None:
    held = [("CLAIM.SERVICE_AFTER_SUBMISSION", "hold", 1)] if after else []
    assert claim_rules_of(filed(service_date)) == held


@pytest.mark.parametrize(
    ("submitted_at", "after"),
    [
        # 2026-11-02 03:30 in UTC, but 2026-11-01 where it was written: before the service.
        ("2026-11-01T22:30:00-05:00", True),
        # 2026-11-01 23:30 in UTC, but 2026-11-02 where it was written: the day of the service.
        ("2026-11-02T01:30:00+02:00", False),
    ],
)
def test_service_after_submission_reads_the_date_in_its_own_offset(
    submitted_at: str, after: bool
) -> None:
    held = [("CLAIM.SERVICE_AFTER_SUBMISSION", "hold", 1)] if after else []
    assert claim_rules_of(filed("2026-11-02", submitted_at)) == held


def test_service_after_submission_is_judged_per_line_on_any_line() -> None:
    lines = [office_visit_line(1, service_date="2026-11-10"), line(2), waste_line(3)]
    assert claim_rules_of(claim(*lines)) == [("CLAIM.SERVICE_AFTER_SUBMISSION", "hold", 1)]


def test_service_after_submission_message() -> None:
    (found,) = findings(filed("2026-11-10"), claim_rules.check)
    assert "J2323 on 2026-11-10" in found.message
    assert "7 days after the claim was submitted (2026-11-03)" in found.message


# CLAIM.UNKNOWN_FIELD


def unknown_message(document: dict[str, Any]) -> str:
    (found,) = findings(document, claim_rules.check)
    assert (found.rule, found.severity, found.line) == ("CLAIM.UNKNOWN_FIELD", "info", None)
    return found.message


def test_unknown_top_level_field() -> None:
    message = unknown_message(claim(x_pm_batch="B-20260428-03"))
    assert "The claim has a field the contract does not define: /x_pm_batch." in message
    assert "B-20260428-03" not in message


def test_unknown_payer_field() -> None:
    payer = {"id": "MCR-JF", "name": "Medicare Part B", "plan_type": "medicare", "group": "G-1"}
    message = unknown_message(claim(payer=payer))
    assert "/payer/group" in message
    assert "G-1" not in message


def test_unknown_field_in_a_line_drug_names_the_line_and_the_likely_field() -> None:
    misspelt = line(1, drug={"ndc_quantity": None, "ndc_qty": 15})
    message = unknown_message(claim(misspelt))
    assert "/lines/0/drug/ndc_qty (line 1; did you mean ndc_quantity?)" in message


def test_no_suggestion_of_a_field_the_object_already_has() -> None:
    message = unknown_message(claim(line(1, drug={"ndc_qty": 15})))
    assert "/lines/0/drug/ndc_qty (line 1)." in message


def test_unknown_fields_in_list_elements_are_addressed_by_index() -> None:
    authorization = {"number": "PA-1", "hcpcs": ["J2323"], "note": "renewal"}
    second = {**line(2), "rev_code": "0636"}
    message = unknown_message(claim(line(1), second, prior_authorizations=[authorization]))
    assert "The claim has 2 fields the contract does not define:" in message
    assert "/prior_authorizations/0/note" in message
    assert "/lines/1/rev_code (line 2)" in message
    assert "renewal" not in message
    assert "0636" not in message


def test_only_the_top_key_of_an_unknown_object_or_list() -> None:
    document = claim(x_meta={"a": 1, "b": {"c": 2}}, x_list=[{"d": 3}])
    message = unknown_message(document)
    assert "2 fields" in message
    assert "/x_meta" in message
    assert "/x_list" in message
    assert "/x_meta/" not in message
    assert "/x_list/" not in message


def test_pointers_escape_tilde_and_slash() -> None:
    message = unknown_message(claim(**{"a/b~c": 1}))
    assert "/a~1b~0c" in message


def test_patient_fields_are_named_never_their_values() -> None:
    patient = {
        "member_id": "M000000001",
        "birth_date": "1979-03-14",
        "sex": "F",
        "middle_name": "Diaz",
    }
    message = unknown_message(claim(patient=patient))
    assert "/patient/middle_name" in message
    assert not any(datum in message for datum in PATIENT_DATA)


def test_a_field_named_like_the_model_attribute_is_unknown() -> None:
    # The contract calls it ``schema``; ``schema_`` is only the model's name for it.
    assert "/schema_" in unknown_message(claim(schema_="claim.submitted/v1"))


def test_at_most_20_pointers_are_listed() -> None:
    message = unknown_message(claim(**{f"x_{index:02}": index for index in range(25)}))
    assert "The claim has 25 fields" in message
    assert "/x_19" in message
    assert "/x_20" not in message
    assert "and 5 more" in message


def test_pointers_are_into_the_claim_as_submitted() -> None:
    # A round that judges a corrected claim (here: the first line removed) still points
    # into the submitted one, where the unknown field is on the second line.
    submitted = claim(waste_line(1), {**line(2), "x_note": 1})
    corrected = claim({**line(2), "x_note": 1})
    context = ClaimContext(submission(corrected).claim, reference(), submission(submitted).claim)
    (flag,) = claim_rules.check(context)
    assert "/lines/1/x_note (line 2)" in flag.finding.message


def test_unknown_fields_are_reported_and_kept_through_a_fix() -> None:
    result = scrub(claim(line(modifiers=[]), x_pm_batch="B-1"))
    assert "MOD.JZ_MISSING" in rules(result, "fix")
    assert rules(result, "info").count("CLAIM.UNKNOWN_FIELD") == 1
    assert result.corrected_claim is not None
    assert result.corrected_claim["x_pm_batch"] == "B-1"
