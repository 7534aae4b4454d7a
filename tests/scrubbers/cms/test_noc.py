"""The CMS NOC code list: continuation rows, dates, the shipped file, malformed files."""

from __future__ import annotations

from datetime import date

import pytest

from claimscrub.scrubbers.cms import CmsFileError, Period
from claimscrub.scrubbers.cms.noc import NocEntry, parse_noc, read_noc
from tests.scrubbers.cms.files import NOC, NOC_HEADER, NOC_ROWS, SOURCES

Q3 = Period(date(2025, 7, 1), date(2025, 9, 30))
REAL = NOC_HEADER + b"".join(NOC_ROWS)


def test_real_rows() -> None:
    noc = parse_noc(REAL, Q3)
    assert noc.entries == {
        "A9599": NocEntry(
            "Radiopharmaceutical, diagnostic, for beta-amyloid positron emission tomography"
            " (pet) imaging, per study dose, not otherwise specified",
            date(2014, 1, 1),
            date(2017, 12, 31),
        ),
        "J3490": NocEntry("Unclassified drugs", date(1986, 1, 1), None),
        "J7192": NocEntry(  # its continuation row joined with one space
            "Factor viii (antihemophilic factor, recombinant) per i.u., not otherwise specified",
            date(1994, 1, 1),
            None,
        ),
    }
    assert noc.source.period == Q3
    assert (noc.source.rows.read, noc.source.rows.kept) == (4, 4)
    assert noc.source.info == {"codes": 3, "continuation_rows": 1, "duplicate_rows": 0}


def test_a_continuation_row_must_follow_its_code() -> None:
    with pytest.raises(CmsFileError) as caught:
        parse_noc(NOC_HEADER + NOC_ROWS[1] + NOC_ROWS[0] + NOC_ROWS[2], Q3)
    assert str(caught.value) == (
        'noc-codes.csv line 4 column "ADD DATE": J7192 has no dates and continues no row of'
        " its code"
    )


def test_a_code_listed_twice() -> None:
    same = parse_noc(NOC_HEADER + NOC_ROWS[0] * 2, Q3)
    assert list(same.entries) == ["J3490"]
    assert same.source.info["duplicate_rows"] == 1
    other = b"J3490,Unclassified drugs,19870101,\r\n"
    with pytest.raises(CmsFileError, match=r'line 3 column "HCPCS": J3490 is listed again'):
        parse_noc(NOC_HEADER + NOC_ROWS[0] + other, Q3)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            b"J3490,Unclassified drugs,1986-01-01,\r\n",
            'column "ADD DATE": "1986-01-01" is not a date (expected YYYYMMDD)',
        ),
        (
            b"J3490,Unclassified drugs,19860101,19851231\r\n",
            'column "TERM DATE": J3490 ends (1985-12-31) before it is added (1986-01-01)',
        ),
        (
            b"J3490,Unclassified drugs,,19851231\r\n",
            'column "ADD DATE": J3490 has a termination date but no add date',
        ),
        (b"J3490,,19860101,\r\n", 'column "LONG DESCRIPTION": J3490 has no description'),
        (b"J349,Unclassified drugs,19860101,\r\n", 'column "HCPCS": "J349" is not a HCPCS code'),
    ],
)
def test_malformed_rows(row: bytes, message: str) -> None:
    with pytest.raises(CmsFileError) as caught:
        parse_noc(NOC_HEADER + row, Q3)
    assert str(caught.value) == f"noc-codes.csv line 2 {message}"


def test_the_shipped_file() -> None:
    noc = read_noc(SOURCES / NOC, Q3)
    assert noc.source.rows.read == 165
    assert len(noc.entries) == 163  # J7192 and J7195 continue on a second row
    assert noc.source.info == {"codes": 163, "continuation_rows": 2, "duplicate_rows": 0}
    assert noc.entries["J7195"].description.endswith("per iu, not otherwise specified")
    assert noc.entries["J3590"] == NocEntry("Unclassified biologics", date(2003, 1, 1), None)
    # The NOC drug codes of RULES.md are all in the list.
    drug_codes = "J3490 J3590 J3591 J7199 J7599 J7699 J7799 J7999 J8499 J8597 J8999 J9999 C9399"
    assert set(drug_codes.split()) <= noc.entries.keys()
    assert sum(entry.terminated is not None for entry in noc.entries.values()) == 8
