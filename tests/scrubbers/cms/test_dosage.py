"""Unit size (RULES.md, "Words"): what an ASP ``HCPCS Code Dosage`` reads as, over every
distinct dosage of the shipped pricing file."""

from __future__ import annotations

import csv
import io

import pytest

from claimscrub.scrubbers.cms import UnitSize, parse_unit_size
from tests.scrubbers.cms.files import PRICING, source


def _pricing_dosages() -> list[str]:
    """The distinct ``HCPCS Code Dosage`` cells as written (untrimmed, NBSP kept)."""
    rows = list(csv.reader(io.StringIO(source(PRICING).decode("cp1252"), newline="")))
    return sorted({row[2] for row in rows[9:]})


DOSAGES = _pricing_dosages()


@pytest.mark.parametrize(
    ("dosage", "size"),
    [
        ("10 MG", UnitSize(10, "mg")),
        ("0.5 ML", UnitSize(0.5, "mL")),
        ("100,000 UNITS", UnitSize(100_000, "IU")),
        ("1MG", UnitSize(1, "mg")),
        ("up to 5 MG", UnitSize(5, "mg")),
        ("UP TO 1 GM", UnitSize(1, "g")),
        ("300 MCG (1500 IU)", UnitSize(300, "mcg")),
        (".625 GM", UnitSize(0.625, "g")),
        (" 1.74 MG", UnitSize(1.74, "mg")),  # J7686, leading space
        ("1000 CC", UnitSize(1000, "mL")),
        ("1 UNIT", UnitSize(1, "IU")),  # J0585 Botox: units are IU
        ("5 Unit", UnitSize(5, "IU")),
        ("up to 40 Units", UnitSize(40, "IU")),
        ("100 IU", UnitSize(100, "IU")),  # J2791 Rhophylac
        ("15 mcg", UnitSize(15, "mcg")),
        ("75mg (50mg cft/25mg taz)", UnitSize(75, "mg")),  # J0695: the parenthesis is ignored
        ("\xa010 MG\xa0", UnitSize(10, "mg")),
        ("10\xa0MG", UnitSize(10, "mg")),  # the optional space may be a non-breaking one
        ("1 g", UnitSize(1, "g")),
    ],
)
def test_a_dosage_that_states_a_unit_size(dosage: str, size: UnitSize) -> None:
    assert parse_unit_size(dosage) == size


@pytest.mark.parametrize(
    "dosage",
    [
        "1 SQ CM",
        "per dose",
        "1 EACH",
        "1 EA",
        "PER VIAL",
        "1 USP UNIT",
        "1 MG/2.27 MG",
        "0.25 MG - 5 MG",
        "1 I.U. VWF:RCO",
        "1 million\xa0PFU",
        "0 MG",
        "1,00 MG",  # not grouped by three
        "10  MG",  # two spaces: one optional space only
        "10 MG per vial",
        "300 MCG (1500 IU",  # the parenthesis never closes
        "Greater than 100 MG",
        "UP TO 200 MILLION CAR T CELLS",
        "",
    ],
)
def test_a_dosage_that_states_none(dosage: str) -> None:
    assert parse_unit_size(dosage) is None


# Every distinct dosage of the pricing file that states no unit size.
NONE = {
    "0.25 MG - 5 MG",
    "1 EA",
    "1 I.U. VWF:RCO",
    "1 MG/2.27 MG",
    "1 SQ CM",
    "1 USP UNIT",
    "1 microCurie",
    "1 million\xa0PFU",
    "10 MG/3MG",
    "2 MEQ",
    "2.5 MG/0.5 MG",
    "200 mg/25 mg",
    "200 mg/300 mg",
    "2MG/3MG",
    "3 MG & 3 MG",
    "3 mg/1 mg",
    "4 MG-4 MG-2 MG",
    "5MG-1MG",
    "Greater than 100 MG",
    "Greater than 7 days and up to 28 days of therapy ",
    "Less than or equal to 100 MG",
    "Less than or equal to 7 days of therapy ",
    "PER DOSE",
    "PER FACTOR VIII IU",
    "PER THERAPEUTIC DOSE",
    "PER VIAL",
    "Per 3.2 mg single-use applicator",
    "Per Therapeutic Dose",
    "Per infusion (minimum 50 million cells)",
    "UP TO 200 MILLION AUTOLOGOUS ANTI-CD19 CAR POSITIVE VIABLE T CELLS",
    "UP TO 200 MILLION CAR T CELLS",
    "UP TO 510 MILLION AUTOLOGOUS ANTI-BCMA CAR-POSITIVE VIABLE T CELLS",
    "Up to 110 million CAR-positive viable T cells, per therapeutic dose",
    "per dose",
    "up to 100 million autologous b-cell maturation antigen (bcma) directed car-positive t cells",
    "up to 600 million CAR-positive viable T cells",
}
# The rest name their unit by one of these words (checked longest first: MCG before MG).
CATEGORIES = [("MCG", "mcg"), ("MG", "mg"), ("GM", "g"), ("ML", "mL"), ("CC", "mL")]
CATEGORIES += [("IU", "IU"), ("UNIT", "IU")]


def _category(dosage: str) -> str:
    upper = dosage.upper()
    return next(unit for word, unit in CATEGORIES if word in upper)


def test_the_pricing_file_has_134_distinct_dosages() -> None:
    assert len(DOSAGES) == 134
    assert set(DOSAGES) >= NONE


@pytest.mark.parametrize("dosage", DOSAGES)
def test_every_dosage_of_the_pricing_file(dosage: str) -> None:
    size = parse_unit_size(dosage)
    if dosage in NONE:
        assert size is None
        return
    assert size is not None
    assert size.amount > 0
    assert size.unit == _category(dosage)
    assert f"{size.amount:g}" in dosage.replace(",", "").replace(".625", "0.625")


def test_unit_sizes_by_unit_in_the_pricing_file() -> None:
    units = [size.unit for d in DOSAGES if (size := parse_unit_size(d)) is not None]
    assert len(units) == 134 - len(NONE)
    assert {unit: units.count(unit) for unit in set(units)} == {
        "mg": 50,
        "mcg": 13,
        "g": 5,
        "mL": 13,
        "IU": 17,
    }
