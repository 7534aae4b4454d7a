"""HCPCS Level II: the CSV (real rows and the shipped file) and the fixed-width file, on
records built here to CMS's 320-byte layout."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from claimscrub.scrubbers.cms import CmsFileError, Period
from claimscrub.scrubbers.cms.hcpcs import (
    CodeDates,
    fixed_width_records,
    parse_hcpcs_csv,
    parse_hcpcs_fixed,
    read_hcpcs,
)
from tests.scrubbers.cms.files import HCPCS, HCPCS_HEADER, HCPCS_ROWS, SOURCES

Q3 = Period(date(2025, 7, 1), date(2025, 9, 30))
CSV = "hcpcs-level2.csv"
FIXED = "HCPC2025_JUL_ANWEB_v2.txt"


def test_csv_real_rows() -> None:
    table = parse_hcpcs_csv(HCPCS_HEADER + b"".join(HCPCS_ROWS), Q3)
    assert table.codes == {
        "J2323": "Injection, natalizumab, 1 mg",
        "J3490": "Unclassified drugs",
    }
    assert table.modifiers == {
        "A1": "Dressing for one wound",
        "JW": "Drug amount discarded/not administered to any patient",
    }
    assert table.dates == {}
    assert table.source.period == Q3
    assert table.source.info == {"codes": 2, "modifiers": 2, "duplicate_rows": 0}


@pytest.mark.parametrize("value", ["J90", "25", "J23230", "j2323", "A"])
def test_csv_neither_code_nor_modifier(value: str) -> None:
    with pytest.raises(CmsFileError) as caught:
        parse_hcpcs_csv(HCPCS_HEADER + value.encode() + b",Something\r\n", Q3)
    assert str(caught.value) == (
        f'hcpcs-level2.csv line 2 column "HCPCS": "{value}" is neither a HCPCS code nor a modifier'
    )


def test_csv_a_code_without_description() -> None:
    with pytest.raises(CmsFileError) as caught:
        parse_hcpcs_csv(HCPCS_HEADER + HCPCS_ROWS[0] + b"J3490, \r\n", Q3)
    assert str(caught.value) == (
        'hcpcs-level2.csv line 3 column "LONG DESCRIPTION": J3490 has no description'
    )


def test_csv_a_code_listed_twice() -> None:
    same = parse_hcpcs_csv(HCPCS_HEADER + HCPCS_ROWS[1] * 2, Q3)
    assert same.codes == {"J3490": "Unclassified drugs"}
    assert same.source.info["duplicate_rows"] == 1
    with pytest.raises(CmsFileError, match=r'line 3 column "HCPCS": J3490 is listed again'):
        parse_hcpcs_csv(HCPCS_HEADER + HCPCS_ROWS[1] + b"J3490,Other drugs\r\n", Q3)


def test_csv_the_shipped_file() -> None:
    table = read_hcpcs(SOURCES / HCPCS, Q3)
    assert len(table.codes) == 8387
    assert len(table.modifiers) == 383
    assert table.source.rows.read == 8770
    by_letter = Counter(code[0] for code in table.codes)
    assert (by_letter["J"], by_letter["Q"], by_letter["C"]) == (1162, 562, 581)
    assert {"JW", "JZ", "KX"} <= table.modifiers.keys()
    assert "25" not in table.modifiers  # Level I (CPT) modifiers are not in it
    assert table.codes["J2329"] == "Injection, ublituximab-xiiy, 1mg"
    # No dates: codes CMS has since retired are still listed.
    assert {"J1020", "J1030", "J1040", "J2920", "J2930"} <= table.codes.keys()


def record(
    code: str,
    kind: str,
    long: str,
    *,
    sequence: str = "00100",
    short: str = "",
    pricing: str = "",
    added: str = "",
    effective: str = "",
    terminated: str = "",
    action: str = "",
) -> bytes:
    """One 320-byte record: code 1-5, sequence 6-10, record type 11, long description
    12-91, short description 92-119, pricing indicator 120-121, add date 269-276, action
    effective date 277-284, termination date 285-292, action code 293."""
    text = (
        code.ljust(5)
        + sequence
        + kind
        + long.ljust(80)
        + short.ljust(28)
        + pricing.ljust(2)
        + " " * 147  # 122-268: fields this loader does not read
        + added.ljust(8)
        + effective.ljust(8)
        + terminated.ljust(8)
        + action.ljust(1)
    ).ljust(320)
    assert len(text) == 320
    return text.encode("cp1252")


BEVACIZUMAB = record(
    "J9035",
    "3",
    "Injection, bevacizumab, 10 mg",
    short="Bevacizumab injection",
    pricing="51",
    added="20050101",
    effective="20050101",
    action="N",
)
# J7192's descriptor runs over two lines, broken between words as CMS does.
FACTOR_VIII = record(
    "J7192",
    "3",
    "Factor viii (antihemophilic factor, recombinant) per i.u., not otherwise",
    short="Factor viii recomb nos",
    pricing="51",
    added="19940101",
    effective="20250101",
    action="C",
)
FACTOR_VIII_2 = record("J7192", "4", "specified", sequence="00200")
RETIRED = record(
    "J1020",
    "3",
    "Injection, methylprednisolone acetate, 20 mg",
    added="19940101",
    effective="20250701",
    terminated="20250630",
    action="D",
)
JW = record(  # CMS's layout puts a modifier in positions 4-5
    "   JW", "7", "Drug amount discarded/not administered to any patient", added="20170101"
)
JZ = record("JZ", "7", "Zero drug amount discarded/not administered to any", added="20230101")
JZ_2 = record("JZ", "8", "patient", sequence="00200")


def fixed(*records: bytes, end: bytes = b"\r\n") -> bytes:
    return b"".join(line + end for line in records)


def test_fixed_width_records() -> None:
    records = fixed_width_records(
        fixed(BEVACIZUMAB, FACTOR_VIII, FACTOR_VIII_2, RETIRED, JW, JZ, JZ_2), FIXED
    )
    assert [(r.code, r.is_modifier, r.line) for r in records] == [
        ("J9035", False, 1),
        ("J7192", False, 2),
        ("J1020", False, 4),
        ("JW", True, 5),
        ("JZ", True, 6),
    ]
    bevacizumab, factor, retired, jw, jz = records
    assert bevacizumab.long_description == "Injection, bevacizumab, 10 mg"
    assert bevacizumab.short_description == "Bevacizumab injection"
    assert bevacizumab.pricing_indicator == "51"
    assert (bevacizumab.added, bevacizumab.terminated) == (date(2005, 1, 1), None)
    assert bevacizumab.action_effective == date(2005, 1, 1)
    assert bevacizumab.action_code == "N"
    assert factor.long_description == (
        "Factor viii (antihemophilic factor, recombinant) per i.u., not otherwise specified"
    )
    assert factor.added == date(1994, 1, 1)  # the first line's dates
    assert (retired.terminated, retired.action_code) == (date(2025, 6, 30), "D")
    assert (jw.code, jw.added) == ("JW", date(2017, 1, 1))
    assert jz.long_description == "Zero drug amount discarded/not administered to any patient"


def test_fixed_width_table() -> None:
    data = fixed(BEVACIZUMAB, FACTOR_VIII, FACTOR_VIII_2, RETIRED, JW, JZ, JZ_2)
    table = parse_hcpcs_fixed(data, Q3, FIXED)
    assert list(table.codes) == ["J1020", "J7192", "J9035"]
    assert list(table.modifiers) == ["JW", "JZ"]
    assert table.dates["J1020"] == CodeDates(date(1994, 1, 1), date(2025, 6, 30))
    assert table.dates["J9035"] == CodeDates(date(2005, 1, 1), None)
    assert table.dates["JZ"] == CodeDates(date(2023, 1, 1), None)
    assert table.source.rows.read == 7
    assert table.source.info == {"codes": 3, "modifiers": 2, "duplicate_rows": 0}


def test_fixed_width_line_ends_and_trimmed_trailing_blanks() -> None:
    crlf = fixed(BEVACIZUMAB, FACTOR_VIII, FACTOR_VIII_2)
    lf = fixed(BEVACIZUMAB.rstrip(), FACTOR_VIII.rstrip(), FACTOR_VIII_2.rstrip(), end=b"\n")
    assert fixed_width_records(lf, FIXED) == fixed_width_records(crlf, FIXED)


def test_fixed_width_read_by_suffix(tmp_path: Path) -> None:
    path = tmp_path / FIXED
    path.write_bytes(fixed(BEVACIZUMAB, JW))
    table = read_hcpcs(path, Q3)
    assert table.source.name == FIXED
    assert table.dates["J9035"] == CodeDates(date(2005, 1, 1), None)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (
            [BEVACIZUMAB, b"J9035001005" + b" " * 309],
            'line 2 column "record type (11)": "5" is not a record type (3, 4, 7 or 8)',
        ),
        (
            [BEVACIZUMAB, FACTOR_VIII_2],
            'line 2 column "record type (11)": a continuation line (4) of "J7192" follows no'
            " line of it",
        ),
        (
            [JZ_2],
            'line 1 column "record type (11)": a continuation line (8) of "JZ" follows no'
            " line of it",
        ),
        (
            [BEVACIZUMAB.replace(b"20050101", b"20051301", 1)],
            'line 1 column "add date (269-276)": "20051301" is not a date (month must be in 1..12)',
        ),
        (
            [BEVACIZUMAB.replace(b"J9035", b"J903 ")],
            'line 1 column "code (1-5)": "J903" is not a HCPCS code',
        ),
        (
            [JW.replace(b"   JW", b"  JWX")],
            'line 1 column "code (1-5)": "JWX" is not a modifier',
        ),
        (
            [RETIRED.replace(b"20250630", b"19930101")],
            'line 1 column "termination date (285-292)": J1020 ends (1993-01-01) before it is'
            " added (1994-01-01)",
        ),
        ([BEVACIZUMAB + b"X"], "line 1: 321 bytes, a record has 320"),
        (
            [BEVACIZUMAB.replace(b"bevacizumab", b"bevaci\x81umab")],
            'line 1 column "position 29": byte 0x81 is not Windows-1252',
        ),
        (
            [BEVACIZUMAB, BEVACIZUMAB.replace(b"10 mg", b"15 mg")],
            'line 2 column "code (1-5)": J9035 is listed again (line 1) with another description',
        ),
    ],
)
def test_fixed_width_malformed(records: list[bytes], message: str) -> None:
    with pytest.raises(CmsFileError) as caught:
        parse_hcpcs_fixed(fixed(*records), Q3, FIXED)
    assert str(caught.value) == f"{FIXED} {message}"


def test_fixed_width_without_records() -> None:
    with pytest.raises(CmsFileError, match=rf"^{re.escape(FIXED)}: no records$"):
        parse_hcpcs_fixed(b" " * 320 + b"\r\n", Q3, FIXED)
