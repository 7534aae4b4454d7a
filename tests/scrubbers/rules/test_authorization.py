"""AUTH.* and REMS.NOT_ATTESTED: who needs an authorization, its window, its units."""

from __future__ import annotations

import pytest

from claimscrub.scrubbers.rules import authorization
from tests.claims import (
    auth,
    claim,
    commercial,
    findings,
    line,
    naltrexone_line,
    summary,
    waste_line,
)


def auth_rules(document: dict[str, object]) -> list[tuple[str, str, int | None]]:
    return summary(document, authorization.check)


def test_commercial_claim_with_a_covering_authorization_passes() -> None:
    assert auth_rules(commercial()) == []


def test_commercial_claim_without_authorization_is_held() -> None:
    assert auth_rules(commercial(prior_authorizations=[])) == [("AUTH.MISSING", "hold", 1)]


def test_missing_message_names_code_date_and_action() -> None:
    (found,) = findings(commercial(prior_authorizations=[]), authorization.check)
    assert "J2323 on 2026-11-02" in found.message
    assert "commercial plan requires prior authorization" in found.message


def test_medicare_needs_no_authorization() -> None:
    assert auth_rules(claim()) == []


def test_medicare_is_not_judged_on_an_expired_authorization_it_does_not_require() -> None:
    document = claim(prior_authorizations=[auth(start="2026-01-01", end="2026-01-31", units=1)])
    assert auth_rules(document) == []


def test_authorization_for_another_code_does_not_list_j2323() -> None:
    document = commercial(prior_authorizations=[auth(hcpcs=("J2329",))])
    assert auth_rules(document) == [("AUTH.MISSING", "hold", 1)]


def test_listed_code_is_compared_upper_case_and_stripped() -> None:
    document = commercial(prior_authorizations=[auth(hcpcs=(" j2323 ",))])
    assert auth_rules(document) == []


def test_naltrexone_needs_authorization_on_commercial_but_not_medicaid() -> None:
    naltrexone = naltrexone_line()
    assert auth_rules(commercial(naltrexone)) == [("AUTH.MISSING", "hold", 1)]
    medicaid = commercial(naltrexone, payer={"id": "MCD-1", "plan_type": "medicaid"})
    assert auth_rules(medicaid) == []


def test_missing_is_reported_once_per_date_on_the_lowest_numbered_line() -> None:
    lines = [
        line(3, units=150, drug={"administered": 150}),
        line(2, units=150, drug={"administered": 150}),
        line(5, service_date="2026-11-30"),
    ]
    document = commercial(*lines, prior_authorizations=[])
    assert auth_rules(document) == [("AUTH.MISSING", "hold", 2), ("AUTH.MISSING", "hold", 5)]


@pytest.mark.parametrize(
    ("service_date", "expired"),
    [
        ("2026-08-31", True),
        ("2026-09-01", False),  # start is inclusive
        ("2027-02-28", False),  # end is inclusive
        ("2027-03-01", True),
    ],
)
def test_authorization_window_is_inclusive(service_date: str, expired: bool) -> None:
    document = commercial(line(service_date=service_date))
    assert auth_rules(document) == ([("AUTH.EXPIRED", "hold", 1)] if expired else [])


def test_expired_message_names_the_authorization_window() -> None:
    document = commercial(prior_authorizations=[auth(start="2026-05-01", end="2026-10-31")])
    (found,) = findings(document, authorization.check)
    assert found.rule == "AUTH.EXPIRED"
    assert "PA-778812 2026-05-01 to 2026-10-31" in found.message


def test_any_listing_authorization_covering_the_date_is_enough() -> None:
    old = auth("PA-OLD", start="2026-01-01", end="2026-06-30")
    current = auth("PA-NEW", start="2026-07-01", end="2026-12-31")
    assert auth_rules(commercial(prior_authorizations=[old, current])) == []


def test_units_over_the_authorization_are_held() -> None:
    document = commercial(prior_authorizations=[auth(units=150)])
    (found,) = findings(document, authorization.check)
    assert (found.rule, found.severity, found.line) == ("AUTH.UNITS_EXCEEDED", "hold", 1)
    assert "300 units billed" in found.message
    assert "PA-778812" in found.message
    assert "covers 150" in found.message


def test_units_equal_to_the_authorization_pass() -> None:
    assert auth_rules(commercial(prior_authorizations=[auth(units=300)])) == []


def test_lines_of_one_code_on_one_date_add_up() -> None:
    lines = [
        line(2, units=150, drug={"administered": 150}),
        line(1, units=150, drug={"administered": 150}),
    ]
    document = commercial(*lines, prior_authorizations=[auth(units=200)])
    (found,) = findings(document, authorization.check)
    assert (found.rule, found.line) == ("AUTH.UNITS_EXCEEDED", 1)
    assert "300 units billed" in found.message


def test_dates_inside_one_window_add_up_and_report_once() -> None:
    lines = [line(1), line(2, service_date="2026-11-30")]
    document = commercial(*lines, prior_authorizations=[auth(units=450)])
    (found,) = findings(document, authorization.check)
    assert (found.rule, found.line) == ("AUTH.UNITS_EXCEEDED", 1)
    assert "600 units billed" in found.message
    assert "2026-11-02, 2026-11-30" in found.message


def test_dates_outside_the_window_do_not_count_against_it() -> None:
    lines = [line(1), line(2, service_date="2027-03-15")]
    window = auth(units=300, end="2027-02-28")
    later = auth("PA-LATER", units=300, start="2027-03-01", end="2027-08-31")
    assert auth_rules(commercial(*lines, prior_authorizations=[window, later])) == []


def test_waste_lines_do_not_count_against_the_authorization() -> None:
    lines = [line(1, modifiers=[]), waste_line(2, units=10)]
    document = commercial(*lines, prior_authorizations=[auth(units=300)])
    assert auth_rules(document) == []


def test_two_covering_authorizations_judge_against_the_one_with_most_units() -> None:
    small = auth("PA-SMALL", units=150)
    large = auth("PA-LARGE", units=300)
    assert auth_rules(commercial(prior_authorizations=[small, large])) == []
    document = commercial(
        line(units=400, drug={"administered": 400}),
        prior_authorizations=[large, small],
    )
    (found,) = findings(document, authorization.check)
    assert found.rule == "AUTH.UNITS_EXCEEDED"
    assert "PA-LARGE" in found.message
    assert "covers 300" in found.message


def test_authorization_without_units_sets_no_limit() -> None:
    document = commercial(
        line(units=900, drug={"administered": 900}),
        prior_authorizations=[auth(units=None)],
    )
    assert auth_rules(document) == []


def test_line_with_a_wrong_code_is_not_judged_until_fixed() -> None:
    # natalizumab billed on J2329 (the articles' code): CODE.DRUG_MISMATCH's business.
    document = commercial(line(hcpcs="J2329", units=30), prior_authorizations=[])
    assert auth_rules(document) == []


def test_missing_rems_attestation_is_held_once_per_code() -> None:
    lines = [line(2), line(1, service_date="2026-11-30")]
    assert auth_rules(claim(*lines, attestations=[])) == [("REMS.NOT_ATTESTED", "hold", 1)]


def test_rems_message_names_the_program() -> None:
    (found,) = findings(claim(attestations=[]), authorization.check)
    assert "TOUCH" in found.message
    assert "rems_enrolled" in found.message


def test_rems_attestation_is_read_case_insensitively() -> None:
    assert auth_rules(claim(attestations=[" REMS_ENROLLED"])) == []


def test_drug_without_rems_needs_no_attestation() -> None:
    ublituximab = line(
        hcpcs="J2329",
        units=450,
        drug={"name": "ublituximab-xiiy", "ndc": "73150-0150-06", "administered": 450},
    )
    assert auth_rules(claim(ublituximab, attestations=[])) == []


def test_rems_applies_to_every_plan_type() -> None:
    document = commercial(attestations=[])
    assert auth_rules(document) == [("REMS.NOT_ATTESTED", "hold", 1)]
