"""The published JSON Schema (``docs/schemas``) agrees with the models: every golden claim
conforms to it, it refuses what the models refuse wherever JSON Schema can say so, and it
names the rest; every property is described."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from claimscrub.contracts import Rejected, Submission, decode_claim, validate_claim
from claimscrub.contracts.types import RFC3339_DATE_TIME
from tests.golden import golden_cases, golden_claims

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
EVENTS = ("claim.submitted.v1", "claim.scrubbed.v1", "claim.invalid.v1")

# Three ways to get RFC 3339 wrong that pydantic alone accepted or refused unevenly.
BAD_TIMESTAMPS = (
    "2026-11-03T14:05:00",  # no offset
    "2026-11-03T14:05:00-0500",  # offset without the colon
    "2026-11-03T14:05-05:00",  # no seconds
)
GOOD_TIMESTAMPS = (
    "2026-11-03T14:05:00Z",
    "2026-11-03T09:05:00-05:00",
    "2026-11-03T14:05:00.250+01:00",
    "2026-11-03t14:05:00z",  # RFC 3339 allows lower case
)


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def _validator(name: str = "claim.submitted.v1") -> Draft202012Validator:
    return Draft202012Validator(
        _schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _errors(document: Any) -> list[str]:
    return [
        f"{error.json_path}: {error.message}" for error in _validator().iter_errors(document)
    ]


def _clean_claim() -> dict[str, Any]:
    return copy.deepcopy(golden_claims()["nat-medicare-clean"])


@pytest.mark.parametrize("name", EVENTS)
def test_each_published_schema_is_valid_json_schema_2020_12(name: str) -> None:
    schema = _schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case["name"])
def test_every_golden_claim_is_judged_alike_by_the_schema_and_the_model(
    case: dict[str, Any],
) -> None:
    errors = _errors(case["claim"])
    model = validate_claim(case["claim"])
    if case["expect"]["outcome"] == "invalid":
        # The schema may refuse it too, or leave it to a rule it cannot state (NPI check digit).
        assert isinstance(model, Rejected)
    else:
        assert errors == []
        assert isinstance(model, Submission)


@pytest.mark.parametrize("timestamp", BAD_TIMESTAMPS)
def test_the_schema_refuses_a_submitted_at_that_is_not_rfc_3339(timestamp: str) -> None:
    claim = _clean_claim() | {"submitted_at": timestamp}
    errors = _errors(claim)
    assert errors
    assert all(error.startswith("$.submitted_at") for error in errors)


@pytest.mark.parametrize("timestamp", BAD_TIMESTAMPS)
def test_the_model_refuses_a_submitted_at_that_is_not_rfc_3339(timestamp: str) -> None:
    claim = _clean_claim() | {"submitted_at": timestamp}
    rejected = decode_claim(json.dumps(claim).encode())
    assert isinstance(rejected, Rejected)
    assert [error.path for error in rejected.errors] == ["submitted_at"]
    assert timestamp not in json.dumps([error.message for error in rejected.errors])


@pytest.mark.parametrize("timestamp", GOOD_TIMESTAMPS)
def test_schema_and_model_accept_rfc_3339_timestamps(timestamp: str) -> None:
    claim = _clean_claim() | {"submitted_at": timestamp}
    assert _errors(claim) == []
    assert isinstance(decode_claim(json.dumps(claim).encode()), Submission)


@pytest.mark.parametrize("value", [1762178700, "1762178700", "2026-11-03 14:05:00Z", None])
def test_a_unix_time_or_a_space_for_t_is_no_timestamp(value: Any) -> None:
    claim = _clean_claim() | {"submitted_at": value}
    assert _errors(claim)
    assert isinstance(decode_claim(json.dumps(claim).encode()), Rejected)


def _line(claim: dict[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = claim["lines"][0]
    return line


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the clean claim: ``path`` is dotted, list indexes as numbers."""

    def change(claim: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = claim
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value

    return change


_AUTH = {"number": "PA-1", "hcpcs": ["J2323"], "start": "2026-09-01", "end": "2027-02-28"}

# Rules JSON Schema can state: the schema and the model both refuse each of these.
BOTH_REFUSE = {
    "schema other than claim.submitted/v1": _set("schema", "claim.submitted/v2"),
    "empty event_id": _set("event_id", ""),
    "empty claim_id": _set("claim_id", ""),
    "claim_id of 39 characters": _set("claim_id", "C" * 39),
    "revision 0": _set("revision", 0),
    "revision as a string": _set("revision", "1"),
    "institutional claim": _set("claim_type", "institutional"),
    "unknown plan type": _set("payer.plan_type", "tricare"),
    "sex X": _set("patient.sex", "X"),
    "birth date not ISO": _set("patient.birth_date", "03/14/1979"),
    "birth date as a Unix time": _set("patient.birth_date", "86400"),
    "NPI of 9 digits": _set("billing_provider.npi", "123456789"),
    "place of service of one digit": _set("place_of_service", "1"),
    "no diagnosis": _set("diagnoses", []),
    "13 diagnoses": _set("diagnoses", ["G35.A"] * 13),
    "empty diagnosis": _set("diagnoses", [""]),
    "no line": _set("lines", []),
    "51 lines": lambda claim: claim.update(
        lines=[_line(claim) | {"number": n} for n in range(1, 52)]
    ),
    "line number 0": _set("lines.0.number", 0),
    "code of the wrong shape": _set("lines.0.hcpcs", "j2323"),
    "units 0": _set("lines.0.units", 0),
    "charge with one decimal place": _set("lines.0.charge", "7380.0"),
    "charge as a number": _set("lines.0.charge", 7380.0),
    "negative charge": _set("lines.0.charge", "-1.00"),
    "no diagnosis pointer": _set("lines.0.diagnosis_pointers", []),
    "five diagnosis pointers": _set("lines.0.diagnosis_pointers", [1, 1, 1, 1, 1]),
    "service date not ISO": _set("lines.0.service_date", "2026-11-02T00:00:00"),
    "NDC over 20 characters": _set("lines.0.drug.ndc", "6" * 21),
    "NDC unit not in the list": _set("lines.0.drug.ndc_unit", "mL"),
    "dose unit not in the list": _set("lines.0.drug.dose_unit", "mg/kg"),
    "negative administered amount": _set("lines.0.drug.administered", -1),
    "NDC quantity 0": _set("lines.0.drug.ndc_quantity", 0),
    "authorization without a code": _set("prior_authorizations", [_AUTH | {"hcpcs": []}]),
    "authorization without a number": _set(
        "prior_authorizations", [{k: v for k, v in _AUTH.items() if k != "number"}]
    ),
    "authorization units 0": _set("prior_authorizations", [_AUTH | {"units": 0}]),
    "modifiers null": _set("lines.0.modifiers", None),
    "no patient": lambda claim: claim.pop("patient"),
    "no lines": lambda claim: claim.pop("lines"),
}


@pytest.mark.parametrize("change", BOTH_REFUSE.values(), ids=BOTH_REFUSE.keys())
def test_the_schema_refuses_what_the_model_refuses(
    change: Callable[[dict[str, Any]], None],
) -> None:
    claim = _clean_claim()
    change(claim)
    assert _errors(claim), "the schema accepts it"
    assert isinstance(validate_claim(claim), Rejected), "the model accepts it"


def test_unknown_fields_are_allowed_by_both_at_every_level() -> None:
    claim = _clean_claim() | {"x_batch": 7}
    claim["payer"]["x_region"] = "north"
    _line(claim)["x_note"] = "kept"
    _line(claim)["drug"]["ndc_qty"] = 15
    assert _errors(claim) == []
    assert isinstance(validate_claim(claim), Submission)


def _property(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """The property schema at ``path``: a top-level name, or a ``$defs`` model then a name."""
    node = schema["properties"] if len(path) == 1 else schema["$defs"][path[0]]["properties"]
    found: dict[str, Any] = node[path[-1]]
    return found


def _lines_with_the_number(number: int) -> Callable[[dict[str, Any]], None]:
    return lambda claim: claim.update(lines=[_line(claim), _line(claim) | {"number": number}])


# Rules JSON Schema cannot state: the schema accepts the document, the model refuses it, and
# the property's description names the rule.
ONLY_THE_MODEL_REFUSES = {
    "NPI check digit": (
        _set("billing_provider.npi", "1234567890"),
        ("BillingProvider", "npi"),
        "Luhn",
    ),
    "rendering NPI check digit": (
        _set("rendering_provider.npi", "1245319590"),
        ("RenderingProvider", "npi"),
        "Luhn",
    ),
    "repeated line number": (_lines_with_the_number(1), ("lines",), "unique"),
    "integer written as 1.0": (_set("revision", 1.0), ("revision",), "integer"),
}


@pytest.mark.parametrize(
    ("change", "where", "named"),
    ONLY_THE_MODEL_REFUSES.values(),
    ids=ONLY_THE_MODEL_REFUSES.keys(),
)
def test_rules_the_schema_cannot_state_are_checked_by_the_model_and_named(
    change: Callable[[dict[str, Any]], None], where: tuple[str, ...], named: str
) -> None:
    claim = _clean_claim()
    change(claim)
    assert _errors(claim) == []
    assert isinstance(validate_claim(claim), Rejected)
    schema = _schema("claim.submitted.v1")
    prop = _property(schema, *where)
    assert named in prop.get("description", "") or prop.get("type") == named


def test_a_diagnosis_pointer_beyond_the_list_is_a_scrub_finding_named_in_the_schema() -> None:
    claim = _clean_claim()
    _line(claim)["diagnosis_pointers"] = [2]
    assert _errors(claim) == []
    assert isinstance(validate_claim(claim), Submission)
    described = _property(_schema("claim.submitted.v1"), "Line", "diagnosis_pointers")
    assert "DX.POINTER_INVALID" in described["description"]


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema below ``node``, with its location, at every depth."""
    if isinstance(node, dict):
        for name, child in node.get("properties", {}).items():
            yield f"{where}.properties.{name}", child
        for key, child in node.items():
            yield from _properties(child, f"{where}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _properties(child, f"{where}[{index}]")


@pytest.mark.parametrize("name", EVENTS)
def test_every_property_at_every_depth_has_a_description(name: str) -> None:
    schema = _schema(name)
    found = list(_properties(schema, name))
    assert len(found) > 10
    undescribed = [where for where, prop in found if not prop.get("description", "").strip()]
    assert undescribed == []


def test_submitted_at_carries_its_pattern_and_format() -> None:
    submitted_at = _property(_schema("claim.submitted.v1"), "submitted_at")
    assert submitted_at["format"] == "date-time"
    assert submitted_at["pattern"] == RFC3339_DATE_TIME
