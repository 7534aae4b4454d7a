"""``scrubbers.reference``: the data is cross-checked when it loads, and ``ruleset`` follows
every fact, so a result's ``event_id`` changes whenever the data does."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import pytest

from claimscrub.scrubbers import Engine
from claimscrub.scrubbers.reference import ReferenceDataError, load_reference
from claimscrub.scrubbers.rule_ids import RuleId
from claimscrub.scrubbers.rulebook import CHECKS
from tests.claims import submission
from tests.golden import golden_claims

SHIPPED = Path(str(files("claimscrub.scrubbers.data")))
NOW = datetime(2026, 11, 3, 14, 5, tzinfo=UTC)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the shipped reference data to change."""
    return Path(shutil.copytree(SHIPPED, tmp_path / "data"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))


def test_the_catalog_describes_exactly_the_rule_ids_the_code_reports() -> None:
    assert {info.id for info in load_reference().catalog.rule} == set(RuleId)


def test_ruleset_is_the_catalog_version_the_cms_periods_and_a_digest() -> None:
    reference = load_reference()
    version, tables = reference.ruleset.split("+")
    *periods, digest = tables.split(".")
    assert version == reference.catalog.version
    assert periods == ["asp2025q4", "hcpcs2025q3"]  # the shipped quarters
    assert len(digest) == 8


def test_changing_one_fact_in_a_pack_changes_the_ruleset_and_every_event_id(data: Path) -> None:
    claim = submission(golden_claims()["nat-medicare-clean"])
    before = Engine(load_reference(data), CHECKS).scrub(claim, NOW)
    _edit(data / "drugs" / "J2323.toml", "max_units_per_day = 300", "max_units_per_day = 600")
    after = Engine(load_reference(data), CHECKS).scrub(claim, NOW)
    assert after.ruleset != before.ruleset
    assert after.event_id != before.event_id
    assert after.findings == before.findings  # the fact changed, this claim's result did not


def test_the_same_data_gives_the_same_ruleset(data: Path) -> None:
    assert load_reference(data).ruleset == load_reference().ruleset


def test_a_rule_id_missing_from_the_catalog_fails_the_load(data: Path) -> None:
    catalog = data / "rules.toml"
    text = catalog.read_text()
    start = text.index('[[rule]]\nid = "MOD.JZ_MISSING"')
    end = text.index("[[rule]]", start + 1)
    catalog.write_text(text[:start] + text[end:])
    with pytest.raises(ReferenceDataError, match=r"rules\.toml: MOD\.JZ_MISSING is reported"):
        load_reference(data)


def test_a_catalog_entry_no_rule_reports_fails_the_load(data: Path) -> None:
    with (data / "rules.toml").open("a") as catalog:
        catalog.write('\n[[rule]]\nid = "MOD.MADE_UP"\nseverity = "hold"\n')
        catalog.write('summary = "never reported"\nreference = "none"\n')
    with pytest.raises(ReferenceDataError, match=r"MOD\.MADE_UP is listed but no rule"):
        load_reference(data)


def test_a_plan_naming_a_code_without_a_pack_fails_the_load(data: Path) -> None:
    _edit(
        data / "plans" / "commercial.toml",
        'prior_authorization = ["J2323",',
        'prior_authorization = ["J9999", "J2323",',
    )
    with pytest.raises(ReferenceDataError, match=r"commercial\.toml: names J9999"):
        load_reference(data)


def test_a_malformed_pack_fails_the_load_naming_the_file(data: Path) -> None:
    _edit(data / "drugs" / "J2323.toml", "max_units_per_day = 300", "max_units_per_day = -3")
    expected = r"J2323\.toml: max_units_per_day: Input should be greater than 0 \(got -3\)"
    with pytest.raises(ReferenceDataError, match=expected):
        load_reference(data)


def test_a_pack_that_is_not_toml_fails_the_load_naming_the_file(data: Path) -> None:
    (data / "drugs" / "J2323.toml").write_text("code = \n")
    with pytest.raises(ReferenceDataError, match=r"J2323\.toml: "):
        load_reference(data)
