"""NDC.*: 11-digit 5-4-2 form, unambiguous conversions, presence, and listed products."""

from __future__ import annotations

import pytest

from claimscrub.scrubbers.findings import SetLineFields
from claimscrub.scrubbers.rules import ndc as ndc_rules
from tests.claims import claim, commercial, findings, flags, line, summary, waste_line


def ndc_rules_of(document: dict[str, object]) -> list[tuple[str, str, int | None]]:
    return summary(document, ndc_rules.check)


def with_ndc(ndc: str | None, **fields: object) -> dict[str, object]:
    """The commercial claim (NDC required) with the line's NDC as written; None drops it."""
    return commercial(line(drug={"ndc": ndc}), **fields)


@pytest.mark.parametrize("ndc", ["64406-0008-01", "64406000801"])
def test_eleven_digits_pass(ndc: str) -> None:
    assert ndc_rules_of(with_ndc(ndc)) == []


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("64406-008-01", "64406-0008-01"),  # 5-3-2: product padded
        ("64406-0008-1", "64406-0008-01"),  # 5-4-1: package padded
        ("0024-5911-01", "00024-5911-01"),  # 4-4-2: labeler padded (Dupixent's label)
        ("644060-008-01", "64406-0008-01"),  # 11 digits, hyphens misplaced
        ("6440-60008-01", "64406-0008-01"),  # 11 digits, hyphens misplaced
        (" 64406-0008-01 ", "64406-0008-01"),  # valid, with surrounding spaces
        ("64406-008-01 ", "64406-0008-01"),  # 5-3-2 and a trailing space
    ],
)
def test_convertible_ndc_is_rewritten_as_5_4_2(written: str, standard: str) -> None:
    (flag,) = flags(with_ndc(written), ndc_rules.check)
    finding = flag.finding
    assert (finding.rule, finding.severity, finding.line) == ("NDC.FORMAT", "fix", 1)
    assert flag.fix == SetLineFields(1, {}, {"ndc": standard})
    assert written.strip() in finding.message
    assert standard in finding.message


def test_format_fix_rewrites_the_document() -> None:
    document = with_ndc("64406-008-01")
    (flag,) = flags(document, ndc_rules.check)
    assert flag.fix is not None
    assert flag.fix.apply(document)
    assert document["lines"][0]["drug"]["ndc"] == "64406-0008-01"  # type: ignore[index]
    assert ndc_rules_of(document) == []


def test_format_message_names_the_written_pattern() -> None:
    (found,) = findings(with_ndc("64406-008-01"), ndc_rules.check)
    assert "written 5-3-2" in found.message


@pytest.mark.parametrize(
    "ndc",
    [
        "6440600801",  # 10 digits without hyphens: ambiguous
        "64406-OOO8-01",  # letters
        "64406 0008 01",  # spaces
        "644060008012",  # 12 digits
        "64406-0008",  # two parts
        "6440-008-01",  # 4-3-2: 9 digits
        "64406-00008-01",  # 5-5-2: 12 digits
        "64406--0008-01",
    ],
)
def test_invalid_ndc_is_held(ndc: str) -> None:
    assert ndc_rules_of(with_ndc(ndc)) == [("NDC.INVALID", "hold", 1)]


def test_invalid_message_says_why() -> None:
    (found,) = findings(with_ndc("6440600801"), ndc_rules.check)
    assert "10 digits without hyphens" in found.message
    (found,) = findings(with_ndc("64406-OOO8-01"), ndc_rules.check)
    assert "characters other than digits" in found.message


@pytest.mark.parametrize("ndc", [None, "", "   "])
def test_no_ndc_where_the_plan_requires_one(ndc: str | None) -> None:
    assert ndc_rules_of(with_ndc(ndc)) == [("NDC.MISSING", "hold", 1)]


@pytest.mark.parametrize("ndc", [None, ""])
def test_no_ndc_where_the_plan_does_not_require_one(ndc: str | None) -> None:
    assert ndc_rules_of(claim(line(drug={"ndc": ndc}))) == []


def test_missing_is_judged_on_every_drug_line_including_waste() -> None:
    lines = [line(1, modifiers=[]), waste_line(2, drug={"ndc": ""})]
    assert ndc_rules_of(commercial(*lines)) == [("NDC.MISSING", "hold", 2)]


def test_noc_line_is_a_drug_line() -> None:
    noc = line(hcpcs="J3590", units=1, drug={"name": "somethingmab", "ndc": None})
    assert ndc_rules_of(commercial(noc)) == [("NDC.MISSING", "hold", 1)]


def test_lines_that_are_not_drug_lines_are_not_judged() -> None:
    no_pack = line(1, hcpcs="J1234", drug={"ndc": "not an ndc"})
    office_visit = line(2, hcpcs="99214", units=1, drug={"ndc": None})
    assert ndc_rules_of(commercial(no_pack, office_visit)) == []


def test_well_formed_ndc_no_pack_lists_is_info() -> None:
    (found,) = findings(with_ndc("12345-6789-01"), ndc_rules.check)
    assert (found.rule, found.severity, found.line) == ("NDC.UNKNOWN", "info", 1)
    assert "12345-6789-01" in found.message


def test_other_package_of_a_listed_product_is_known() -> None:
    assert ndc_rules_of(with_ndc("64406-0008-99")) == []


def test_convertible_unknown_ndc_is_fixed_and_reported_unknown() -> None:
    assert ndc_rules_of(with_ndc("1234-5678-90")) == [
        ("NDC.FORMAT", "fix", 1),
        ("NDC.UNKNOWN", "info", 1),
    ]


def test_an_ndc_in_full_width_digits_is_invalid_not_unknown() -> None:
    full_width = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in "64406-0008-01")
    found = ndc_rules_of(with_ndc(full_width))
    assert [rule for rule, *_ in found] == ["NDC.INVALID"]
