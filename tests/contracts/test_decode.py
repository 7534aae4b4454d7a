"""claim.submitted/v1 as CONTRACT.md states it: what is accepted, what is rejected and how."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimscrub.contracts import ContractError, Rejected, Submission, decode_claim
from claimscrub.contracts.schemas import json_schemas
from claimscrub.contracts.scrubbed import EVENT_NAMESPACE, derived_event_id
from tests.claims import claim, line
from tests.golden import golden_cases

GOLDEN = golden_cases()


def errors_of(document: Any) -> list[ContractError]:
    result = decode_claim(json.dumps(document).encode())
    assert isinstance(result, Rejected), "expected a contract error"
    assert result.reason == "contract"
    return result.errors


@pytest.mark.parametrize("case", GOLDEN, ids=[case["name"] for case in GOLDEN])
def test_golden_claims_are_accepted_unless_expected_invalid(case: dict[str, Any]) -> None:
    result = decode_claim(json.dumps(case["claim"]).encode())
    assert isinstance(result, Submission) is (case["expect"]["outcome"] != "invalid")


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (claim(claim_type="institutional"), "claim_type"),
        (claim(schema="claim.submitted/v2"), "schema"),
        (claim(claim_id="C" * 39), "claim_id"),
        (claim(revision="1"), "revision"),
        (claim(revision=0), "revision"),
        (claim(submitted_at="2026-11-03T14:05:00"), "submitted_at"),
        (claim(billing_provider={"npi": "1234567890"}), "billing_provider.npi"),
        (claim(place_of_service="1"), "place_of_service"),
        (claim(diagnoses=[]), "diagnoses"),
        (claim(diagnoses=["G35.A"] * 13), "diagnoses"),
        (claim(line(), line()), "lines"),
        (claim(*[line(n) for n in range(1, 52)]), "lines"),
        (claim(line(units=0)), "lines.0.units"),
        (claim(line(units=True)), "lines.0.units"),
        (claim(line(charge="12.5")), "lines.0.charge"),
        (claim(line(hcpcs="j2323")), "lines.0.hcpcs"),
        (claim(line(service_date="11/02/2026")), "lines.0.service_date"),
        (claim(line(diagnosis_pointers=[1, 1, 1, 1, 1])), "lines.0.diagnosis_pointers"),
        (claim(line(drug={"ndc": "6" * 21})), "lines.0.drug.ndc"),
        (claim(line(drug={"dose_unit": "ml"})), "lines.0.drug.dose_unit"),
    ],
)
def test_contract_rejects_with_the_path(document: dict[str, Any], path: str) -> None:
    assert path in [error.path for error in errors_of(document)]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{not json", "not UTF-8 JSON"),
        (b"\xff\xfe\x00", "not UTF-8 JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b"[" * 64 + b"]" * 64, "nested 64 levels"),
        (b" " * 1_000_001, "limit is 1000000"),
    ],
)
def test_undecodable_messages_are_rejected_whole(raw: bytes, words: str) -> None:
    result = decode_claim(raw)
    assert isinstance(result, Rejected)
    assert words in result.errors[0].message
    assert result.errors[0].path == ""


def test_errors_never_echo_patient_values() -> None:
    document = claim()
    document["patient"] = {
        "member_id": "",
        "first_name": "Zelda",
        "last_name": "Quintero",
        "birth_date": "14/03/1979",
        "sex": "X",
    }
    text = " ".join(f"{e.path} {e.message}" for e in errors_of(document))
    assert "patient.birth_date" in text
    for value in ("Zelda", "Quintero", "14/03/1979", "'X'"):
        assert value not in text


def test_unknown_fields_and_optional_parts_are_accepted() -> None:
    document = claim(x_custom={"a": 1}, attestations=["rems_enrolled", "future_value"])
    del document["attestations"]
    assert isinstance(decode_claim(json.dumps(document).encode()), Submission)


def test_json_schema_is_exported_for_the_three_events() -> None:
    schemas = json_schemas()
    assert sorted(schemas) == ["claim.invalid.v1", "claim.scrubbed.v1", "claim.submitted.v1"]
    submitted = schemas["claim.submitted.v1"]
    assert {"schema", "event_id", "claim_id", "lines", "patient"} <= set(submitted["required"])
    assert "outcome" in schemas["claim.scrubbed.v1"]["properties"]


@given(st.lists(st.text() | st.integers(), min_size=1, max_size=3))
def test_derived_event_ids_are_uuid5_of_the_parts(parts: list[object]) -> None:
    expected = uuid.uuid5(EVENT_NAMESPACE, "/".join(str(part) for part in parts))
    assert derived_event_id(*parts) == str(expected)


@pytest.mark.parametrize(
    "authorization",
    [
        {"number": "P", "hcpcs": ["J2323"]},  # an 837P carries only the number
        {"number": "P", "hcpcs": ["J2323"], "start": "2026-09-01"},  # open-ended
        {"number": "P", "hcpcs": ["J2323"], "start": "2026-12-01", "end": "2026-11-01"},
    ],
    ids=["no dates", "start only", "reversed"],
)
def test_authorization_dates_are_optional_and_reversed_ones_reach_the_scrub(
    authorization: dict[str, Any],
) -> None:
    document = claim(prior_authorizations=[authorization])
    assert isinstance(decode_claim(json.dumps(document).encode()), Submission)


def test_a_latin_1_byte_is_reported_where_it_is_without_the_text_around_it() -> None:
    result = decode_claim(b'{"claim_id": "x",\n "patient": "Jos\xe9"}')
    assert isinstance(result, Rejected)
    (error,) = result.errors
    assert "byte 0xE9 at line 2 column 17 is not UTF-8" in error.message
    assert "Jos" not in error.message
