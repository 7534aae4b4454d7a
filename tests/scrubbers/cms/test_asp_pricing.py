"""The ASP pricing file: real rows, the shipped file, and malformed files that must fail
whole, naming the file, the line and the column."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from claimscrub.scrubbers.cms import CmsFileError, Period, UnitSize
from claimscrub.scrubbers.cms.asp_pricing import parse_pricing, read_pricing
from tests.scrubbers.cms.files import (
    A9606,
    J0121,
    J0714,
    J2323,
    J2791,
    J7686,
    J9325,
    PRICING,
    PRICING_HEADER,
    PRICING_PREAMBLE,
    SOURCES,
)

REAL = PRICING_PREAMBLE + PRICING_HEADER


def test_real_rows() -> None:
    pricing = parse_pricing(REAL + A9606 + J0121 + J2323 + J0714 + J7686 + J9325 + J2791)
    entries = pricing.entries
    assert list(entries) == ["A9606", "J0121", "J0714", "J2323", "J2791", "J7686", "J9325"]
    assert entries["J2323"].description == "Natalizumab injection"
    assert entries["J2323"].unit_size == UnitSize(1, "mg")
    assert entries["J0714"].unit_size == UnitSize(0.625, "g")
    assert entries["J7686"].dosage == "1.74 MG"
    assert entries["J7686"].unit_size == UnitSize(1.74, "mg")
    assert entries["J2791"].unit_size == UnitSize(100, "IU")
    assert entries["A9606"].dosage == "1 microCurie"
    assert entries["A9606"].unit_size is None
    assert entries["J9325"].dosage == "1 million PFU"  # 0xA0 read as a space
    assert entries["J9325"].unit_size is None
    assert pricing.source.period == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert (pricing.source.rows.read, pricing.source.rows.kept) == (7, 7)
    assert pricing.source.info == {"duplicate_rows": 0, "without_unit_size": 2}


def test_the_header_is_found_by_its_content_not_by_a_line_count() -> None:
    short = b'"Effective January 1, 2026 through March 31, 2026",,,,,,,,,,\r\n'
    pricing = parse_pricing(short + PRICING_HEADER + J2323)
    assert list(pricing.entries) == ["J2323"]
    assert pricing.source.period == Period(date(2026, 1, 1), date(2026, 3, 31))
    longer = PRICING_PREAMBLE + b"Note 3: another note,,,,,,,,,,\r\n" * 4 + PRICING_HEADER
    assert list(parse_pricing(longer + J2323).entries) == ["J2323"]


def test_lf_line_ends_and_blank_rows_read_the_same() -> None:
    crlf = REAL + J2323 + b",,,,,,,,,,\r\n" + J2791
    lf = crlf.replace(b"\r\n", b"\n")
    assert parse_pricing(lf).entries == parse_pricing(crlf).entries
    assert parse_pricing(crlf).source.rows.read == 2


def test_a_row_listed_twice_counts_once() -> None:
    pricing = parse_pricing(REAL + J2323 + J2323)
    assert list(pricing.entries) == ["J2323"]
    assert pricing.source.info["duplicate_rows"] == 1
    assert pricing.source.rows.read == 2


def test_a_malformed_code_names_file_line_and_column() -> None:
    bad = b"J90,Natalizumab injection,1 MG,23.996,20.000,,,,,,\r\n"
    with pytest.raises(CmsFileError) as caught:
        parse_pricing(REAL + J2323 + J2791 + bad)
    assert str(caught.value) == 'pricing.csv line 12 column "HCPCS Code": "J90" is not a HCPCS code'
    assert (caught.value.file, caught.value.line, caught.value.column) == (
        "pricing.csv",
        12,
        "HCPCS Code",
    )


def test_line_numbers_count_the_line_feed_inside_a_quoted_cell() -> None:
    bad = b"j2323,Natalizumab injection,1 MG,23.996,20.000,,,,,,\r\n"
    with pytest.raises(CmsFileError, match=r'^pricing\.csv line 13 column "HCPCS Code"'):
        parse_pricing(REAL + A9606 + J0121 + bad)  # A9606 takes lines 10 and 11


def test_a_row_shifted_by_an_unquoted_comma_is_refused() -> None:
    shifted = b"J2323,Natalizumab, injection,1 MG,23.996,20.000,,,,,,\r\n"
    with pytest.raises(CmsFileError) as caught:
        parse_pricing(REAL + shifted)
    assert str(caught.value) == (
        'pricing.csv line 10 column "Payment Limit": "1 MG" is not a number or N/A: are the'
        " cells of this row shifted?"
    )


def test_a_value_past_the_last_column_is_refused() -> None:
    extra = J2323.replace(b",,,,,,\r\n", b",,,,,,,stray\r\n")
    with pytest.raises(CmsFileError, match=r'^pricing\.csv line 10: "stray" lies past the last'):
        parse_pricing(REAL + extra)


def test_a_short_row_is_refused() -> None:
    with pytest.raises(CmsFileError) as caught:
        parse_pricing(REAL + b"J2323,Natalizumab injection\r\n")
    assert str(caught.value) == (
        'pricing.csv line 10 column "Payment Limit": 2 cells, but the header names 11 columns'
    )


def test_a_code_listed_twice_with_another_dosage_is_refused() -> None:
    other = J2323.replace(b"1 MG", b"10 MG")
    with pytest.raises(CmsFileError) as caught:
        parse_pricing(REAL + J2323 + other)
    assert str(caught.value) == (
        'pricing.csv line 11 column "HCPCS Code": J2323 is listed again (line 10) with other values'
    )


def test_no_header_row() -> None:
    with pytest.raises(CmsFileError, match=r"^pricing\.csv: no header row \(a record whose first"):
        parse_pricing(PRICING_PREAMBLE + J2323)


@pytest.mark.parametrize("rows", [b"", b",,,,,,,,,,\r\n"])
def test_a_file_cut_short_after_the_header(rows: bytes) -> None:
    with pytest.raises(CmsFileError) as caught:
        parse_pricing(REAL + rows)
    assert str(caught.value) == "pricing.csv line 9: no rows after the header"


def test_a_missing_column_is_named_with_the_header_line() -> None:
    header = PRICING_HEADER.replace(b"HCPCS Code Dosage", b"Dosage")
    with pytest.raises(CmsFileError) as caught:
        parse_pricing(PRICING_PREAMBLE + header + J2323)
    assert str(caught.value) == 'pricing.csv line 9: the header has no column "HCPCS Code Dosage"'


def test_no_effective_period() -> None:
    undated = PRICING_PREAMBLE.replace(b"Effective", b"Published")
    with pytest.raises(CmsFileError, match=r'^pricing\.csv: no "Effective <Month>'):
        parse_pricing(undated + PRICING_HEADER + J2323)


def test_an_impossible_effective_period() -> None:
    wrong = PRICING_PREAMBLE.replace(b"December 31", b"December 32")
    with pytest.raises(CmsFileError, match=r"^pricing\.csv line 3: the effective period"):
        parse_pricing(wrong + PRICING_HEADER + J2323)


def test_an_unterminated_quote_is_not_valid_csv() -> None:
    with pytest.raises(CmsFileError, match=r"^pricing\.csv line 10: not valid CSV"):
        parse_pricing(REAL + b'J2323,"Natalizumab injection,1 MG,23.996,20.000,,,,,,\r\n')


def test_a_byte_neither_utf8_nor_windows_1252() -> None:
    bad = J2323.replace(b"Natalizumab", b"Natalizu\x81mab")
    with pytest.raises(CmsFileError) as caught:
        parse_pricing(REAL + J2323.replace(b"J2323", b"J2324") + bad)
    assert str(caught.value) == "pricing.csv line 11: byte 0x81 is neither UTF-8 nor Windows-1252"


def test_the_shipped_file() -> None:
    pricing = read_pricing(SOURCES / PRICING)
    entries = pricing.entries
    assert len(entries) == 978
    assert Counter(code[0] for code in entries) == {"J": 746, "Q": 218, "A": 10, "P": 4}
    assert pricing.source.rows.read == pricing.source.rows.kept == 978
    assert pricing.source.info == {"duplicate_rows": 0, "without_unit_size": 188}
    assert pricing.source.period == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert pricing.source.name == "pricing.csv"


@pytest.mark.parametrize(
    ("code", "size"),
    [
        ("J2323", UnitSize(1, "mg")),  # natalizumab
        ("J2327", UnitSize(1, "mg")),  # risankizumab-rzaa IV
        ("J2329", UnitSize(1, "mg")),  # ublituximab-xiiy
        ("J1322", UnitSize(1, "mg")),  # elosulfase alfa
        ("J2315", UnitSize(1, "mg")),  # naltrexone ER
        ("J9035", UnitSize(10, "mg")),  # bevacizumab
        ("J9271", UnitSize(1, "mg")),  # pembrolizumab
        ("J0897", UnitSize(1, "mg")),  # denosumab
        ("J2791", UnitSize(100, "IU")),  # Rhophylac
        ("J0585", UnitSize(1, "IU")),  # Botox, "1 UNIT"
        ("J7050", UnitSize(250, "mL")),  # saline, "250 CC"
    ],
)
def test_unit_sizes_of_the_shipped_file(code: str, size: UnitSize) -> None:
    assert read_pricing(SOURCES / PRICING).entries[code].unit_size == size


def test_codes_the_shipped_file_does_not_price() -> None:
    entries = read_pricing(SOURCES / PRICING).entries
    assert "J2320" not in entries
    assert "Q5134" not in entries
