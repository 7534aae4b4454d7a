"""The ASP NDC-HCPCS crosswalk: real rows, the shipped file, and malformed files."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from claimscrub.scrubbers.cms import CmsFileError, Period
from claimscrub.scrubbers.cms.crosswalk import parse_crosswalk, read_crosswalk
from tests.scrubbers.cms.files import (
    ALLOSKIN,
    AMVUTTRA,
    ARANESP,
    CAREPATCH,
    CROSSWALK,
    CROSSWALK_PREAMBLE,
    GAMMAGRAFT,
    KETOROLAC,
    MEMBRANE_WRAP,
    SALINE,
    SOURCES,
    TYSABRI,
    crosswalk_header,
    crosswalk_row,
    source,
)

REAL = CROSSWALK_PREAMBLE + crosswalk_header()
NAME = "ndc-hcpcs-crosswalk.csv"


def test_real_rows() -> None:
    rows = [TYSABRI, *ARANESP, *SALINE, AMVUTTRA, KETOROLAC, CAREPATCH, GAMMAGRAFT, ALLOSKIN]
    crosswalk = parse_crosswalk(REAL + b"".join(rows) + MEMBRANE_WRAP)
    assert crosswalk.ndc_codes == {
        "00264-5802-00": ("J7030", "J7040", "J7050"),
        "00404-9998-01": ("J1885",),
        "50016-0916-05": ("Q4205",),  # written 50016-091605: eleven digits
        "55513-0002-04": ("J0881", "J0882"),
        "64406-0008-01": ("J2323",),
        "71336-1003-01": ("J0225",),
    }
    assert crosswalk.product_codes["64406-0008"] == ("J2323",)
    assert crosswalk.product_codes["00264-5802"] == ("J7030", "J7040", "J7050")
    assert crosswalk.source.period == Period(date(2025, 10, 1), date(2025, 12, 31))
    rows_read = crosswalk.source.rows
    assert (rows_read.read, rows_read.kept, rows_read.skipped) == (12, 9, 3)
    assert crosswalk.source.info == {
        "duplicate_rows": 0,
        "ndc_not_11_digits": 3,  # GG100, a 12-digit one, a 5-5 one
        "ndc_rewritten": 1,
        "ndcs": 6,
        "ndcs_under_several_codes": 2,
    }


def test_the_first_column_is_named_after_any_year() -> None:
    crosswalk = parse_crosswalk(CROSSWALK_PREAMBLE + crosswalk_header(b"2026") + TYSABRI)
    assert crosswalk.ndc_codes == {"64406-0008-01": ("J2323",)}


def test_a_row_listed_twice_counts_once() -> None:
    crosswalk = parse_crosswalk(REAL + TYSABRI + TYSABRI)
    assert crosswalk.ndc_codes == {"64406-0008-01": ("J2323",)}
    assert crosswalk.source.info["duplicate_rows"] == 1
    assert crosswalk.source.rows.kept == 2


def test_the_product_lists_the_codes_of_all_its_packages() -> None:
    other_package = crosswalk_row(
        b"Q5134,Inj tyruko 1 mg,Sandoz,64406-0008-02,Tyruko,1 MG,15,1,300,300"
    )
    crosswalk = parse_crosswalk(REAL + TYSABRI + other_package)
    assert crosswalk.ndc_codes["64406-0008-01"] == ("J2323",)
    assert crosswalk.product_codes == {"64406-0008": ("J2323", "Q5134")}


def test_a_malformed_code_is_an_error_even_on_a_skipped_row() -> None:
    bad = GAMMAGRAFT.replace(b"Q4111", b"Q411")
    with pytest.raises(CmsFileError) as caught:
        parse_crosswalk(REAL + TYSABRI + bad)
    assert str(caught.value) == (
        'ndc-hcpcs-crosswalk.csv line 11 column "_2025_CODE": "Q411" is not a HCPCS code'
    )


def test_line_numbers_count_the_line_feed_inside_a_quoted_cell() -> None:
    bad = TYSABRI.replace(b"J2323", b"J232")
    with pytest.raises(CmsFileError, match=r"^ndc-hcpcs-crosswalk\.csv line 12 "):
        parse_crosswalk(REAL + KETOROLAC + bad)  # Ketorolac takes lines 10 and 11


def test_a_row_shifted_by_an_unquoted_comma_is_refused() -> None:
    shifted = TYSABRI.replace(b"Biogen Inc.", b"Biogen, Inc.")
    with pytest.raises(CmsFileError) as caught:
        parse_crosswalk(REAL + shifted)
    assert str(caught.value) == (
        'ndc-hcpcs-crosswalk.csv line 10: "300" lies past the last named column'
        ' ("BILLUNITSPKG"): the cells of this record are shifted'
    )


def test_no_ndc_column() -> None:
    header = crosswalk_header().replace(b"NDC2", b"NDC")
    with pytest.raises(CmsFileError, match=r'line 9: the header has no column "NDC2"$'):
        parse_crosswalk(CROSSWALK_PREAMBLE + header + TYSABRI)


def test_a_header_not_named_after_a_year_is_not_found() -> None:
    header = crosswalk_header().replace(b"_2025_CODE", b"CODE")
    with pytest.raises(CmsFileError, match=r'no header row \(a record whose first cell is "_YYYY'):
        parse_crosswalk(CROSSWALK_PREAMBLE + header + TYSABRI)


def test_the_shipped_file() -> None:
    crosswalk = read_crosswalk(SOURCES / CROSSWALK)
    rows = crosswalk.source.rows
    assert (rows.read, rows.kept, rows.skipped) == (8218, 6980, 1238)
    assert crosswalk.source.info == {
        "duplicate_rows": 0,
        "ndc_not_11_digits": 1238,
        "ndc_rewritten": 46,  # 11 digits written 5-6
        "ndcs": 6809,
        "ndcs_under_several_codes": 132,
    }
    under = [codes for codes in crosswalk.ndc_codes.values() if len(codes) > 1]
    assert {len(codes) for codes in under} == {2, 3}
    assert all(list(codes) == sorted(set(codes)) for codes in crosswalk.ndc_codes.values())
    assert crosswalk.source.period == Period(date(2025, 10, 1), date(2025, 12, 31))


def test_the_shipped_file_as_written() -> None:
    """The README's counts are of the NDC2 cells as written, well-formed or not."""
    text = source(CROSSWALK).decode("cp1252")
    ndcs = [row[3] for row in list(csv.reader(io.StringIO(text, newline="")))[9:]]
    assert len(ndcs) == 8218
    assert len(set(ndcs)) == 8047
    not_5_4_2 = [ndc for ndc in ndcs if not (len(ndc) == 13 and ndc[5] == ndc[10] == "-")]
    assert len(not_5_4_2) == 1238 + 46 == 1284


@pytest.mark.parametrize(
    ("ndc", "codes"),
    [
        ("64406-0008-01", ("J2323",)),  # Tysabri
        ("00074-5015-01", ("J2327",)),  # Skyrizi IV
        ("73150-0150-06", ("J2329",)),  # Briumvi
        ("68135-0100-01", ("J1322",)),  # Vimizim
        ("65757-0300-01", ("J2315",)),  # Vivitrol
        ("00264-5802-00", ("J7030", "J7040", "J7050")),  # saline
        ("55513-0002-04", ("J0881", "J0882")),  # Aranesp, non-ESRD and ESRD
    ],
)
def test_ndcs_of_the_shipped_file(ndc: str, codes: tuple[str, ...]) -> None:
    assert read_crosswalk(SOURCES / CROSSWALK).ndc_codes[ndc] == codes


def test_name_defaults_to_the_file_name() -> None:
    assert read_crosswalk(SOURCES / CROSSWALK).source.name == NAME
