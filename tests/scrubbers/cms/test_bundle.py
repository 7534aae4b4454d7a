"""The compiled bundle: deterministic, rebuilt from the shipped sources identical to the
shipped one (a stale bundle fails here), validated when read, and built by the importer
from a CMS download directory."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from claimscrub.scrubbers.cms import (
    CmsBundleError,
    CmsFileError,
    Period,
    bundle_digest,
    check_bundle,
    import_sources,
    read_bundle,
    shipped_bundle,
    write_bundle,
)
from claimscrub.scrubbers.cms.hcpcs import CodeDates
from tests.scrubbers.cms.files import CMS, CROSSWALK, HCPCS, NOC, PRICING, SOURCES, source
from tests.scrubbers.cms.test_hcpcs import BEVACIZUMAB, FACTOR_VIII, FACTOR_VIII_2, JW, fixed

TOP_LEVEL = {
    "format",
    "tables",
    "unit_sizes",
    "asp",
    "ndc_codes",
    "product_codes",
    "hcpcs_codes",
    "modifiers",
    "noc",
    "hcpcs_dates",
    "digest",
}


@pytest.fixture(scope="module")
def rebuilt() -> dict[str, Any]:
    return import_sources(SOURCES)


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """A CMS download directory: a copy of the shipped sources."""
    return Path(shutil.copytree(SOURCES, tmp_path / "cms"))


def test_the_shipped_bundle_is_the_one_its_sources_build(
    rebuilt: dict[str, Any], tmp_path: Path
) -> None:
    assert shipped_bundle() == CMS / "bundle.json"
    assert check_bundle(shipped_bundle()) == rebuilt["digest"], (
        "scrubbers/data/cms/bundle.json is stale: rebuild it from scrubbers/data/cms/sources"
        " (see the README there)"
    )
    write_bundle(rebuilt, tmp_path / "bundle.json")
    assert (tmp_path / "bundle.json").read_bytes() == shipped_bundle().read_bytes()


def test_the_same_sources_anywhere_build_the_same_bundle(
    rebuilt: dict[str, Any], download: Path
) -> None:
    again = import_sources(download)
    assert again == rebuilt
    assert again["digest"] == bundle_digest(rebuilt) == rebuilt["digest"]


def test_layout(rebuilt: dict[str, Any]) -> None:
    assert set(rebuilt) == TOP_LEVEL
    assert rebuilt["format"] == 1
    tables = rebuilt["tables"]
    assert {name: table["source"] for name, table in tables.items()} == {
        "asp_pricing": PRICING,
        "ndc_crosswalk": CROSSWALK,
        "hcpcs": HCPCS,
        "noc": NOC,
    }
    for table in tables.values():
        assert table["sha256"] == hashlib.sha256(source(table["source"])).hexdigest()
    assert tables["asp_pricing"]["period"] == {"start": "2025-10-01", "end": "2025-12-31"}
    assert tables["hcpcs"]["period"] == {"start": "2025-07-01", "end": "2025-09-30"}
    assert tables["ndc_crosswalk"]["rows"] == {"read": 8218, "kept": 6980, "skipped": 1238}
    assert tables["noc"]["rows"] == {"read": 165, "kept": 165, "skipped": 0}
    assert rebuilt["unit_sizes"]["J9035"] == [10.0, "mg"]
    assert rebuilt["asp"]["J9035"] == {"dosage": "10 MG", "description": "Bevacizumab injection"}
    assert rebuilt["ndc_codes"]["64406-0008-01"] == ["J2323"]
    assert rebuilt["product_codes"]["64406-0008"] == ["J2323"]
    assert rebuilt["noc"]["A9599"] == {
        "description": "Radiopharmaceutical, diagnostic, for beta-amyloid positron emission"
        " tomography (pet) imaging, per study dose, not otherwise specified",
        "add": "2014-01-01",
        "term": "2017-12-31",
    }
    assert rebuilt["hcpcs_dates"] == {}  # no fixed-width file among the shipped sources
    sizes = {name: len(rebuilt[name]) for name in TOP_LEVEL - {"format", "tables", "digest"}}
    assert sizes == {
        "unit_sizes": 790,
        "asp": 978,
        "ndc_codes": 6809,
        "product_codes": 5281,
        "hcpcs_codes": 8387,
        "modifiers": 383,
        "noc": 163,
        "hcpcs_dates": 0,
    }


def test_reading_the_shipped_bundle_is_fast() -> None:
    start = time.perf_counter()
    catalog = read_bundle(shipped_bundle())
    elapsed = time.perf_counter() - start
    size = shipped_bundle().stat().st_size
    print(f"read_bundle: {elapsed * 1000:.0f} ms for {size / 1e6:.2f} MB")
    assert catalog.digest == check_bundle(shipped_bundle())


def _tampered(tmp_path: Path, change: Any) -> Path:
    bundle = json.loads(shipped_bundle().read_bytes())
    change(bundle)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return path


def test_a_bundle_edited_by_hand_is_refused(tmp_path: Path) -> None:
    path = _tampered(tmp_path, lambda bundle: bundle["unit_sizes"].update(J9035=[100.0, "mg"]))
    with pytest.raises(CmsBundleError, match=r"^bundle\.json: digest \w+ does not match"):
        read_bundle(path)


def test_a_bundle_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    path = _tampered(tmp_path, lambda bundle: bundle.pop("modifiers"))
    with pytest.raises(CmsBundleError, match=r"^bundle\.json: modifiers: Field required"):
        check_bundle(path)
    path = _tampered(tmp_path, lambda bundle: bundle["ndc_codes"].update({"6440600080": ["J2323"]}))
    with pytest.raises(CmsBundleError, match=r"ndc_codes\.6440600080\.\[key\]: String should"):
        check_bundle(path)
    path = _tampered(tmp_path, lambda bundle: bundle["product_codes"].pop("64406-0008"))
    with pytest.raises(CmsBundleError, match=r"product_codes is not the union of ndc_codes"):
        check_bundle(path)


def test_a_truncated_bundle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_bytes(shipped_bundle().read_bytes()[:1000])
    with pytest.raises(CmsBundleError, match=r"^bundle\.json: not a readable JSON document"):
        read_bundle(path)


def test_write_bundle_refuses_what_read_bundle_would(
    rebuilt: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(CmsBundleError, match="digest"):
        write_bundle({**rebuilt, "modifiers": {}}, tmp_path / "bundle.json")
    assert not (tmp_path / "bundle.json").exists()


def test_a_source_with_a_broken_row_fails_with_file_and_line(download: Path) -> None:
    pricing = download / PRICING
    pricing.write_bytes(pricing.read_bytes().replace(b"\r\nJ9035,", b"\r\nJ935,"))
    with pytest.raises(CmsFileError) as caught:
        import_sources(download)
    line = source(PRICING).split(b"\nJ9035,")[0].count(b"\n") + 2
    assert str(caught.value) == (
        f'{PRICING} line {line} column "HCPCS Code": "J935" is not a HCPCS code'
    )
    assert line == 625  # as an editor counts: A9606's line feed is a line too


def test_a_missing_source_is_named(download: Path) -> None:
    (download / NOC).unlink()
    with pytest.raises(CmsFileError, match=r"^hcpcs-2025-07/noc-codes\.csv: not found$"):
        import_sources(download)


def test_the_newest_quarter_is_read(download: Path, rebuilt: dict[str, Any]) -> None:
    shutil.copytree(download / "asp-2025-10", download / "asp-2025-07")
    (download / "asp-2025-07" / "pricing.csv").write_bytes(b"not read")
    assert import_sources(download)["digest"] == rebuilt["digest"]


def test_the_hcpcs_period_is_the_folder_quarter_or_given(download: Path) -> None:
    (download / "hcpcs-2025-07").rename(download / "hcpcs-2025-08")
    with pytest.raises(CmsFileError, match=r"^hcpcs-2025-08: 2025-08 does not begin a quarter"):
        import_sources(download)
    given = Period(date(2025, 8, 1), date(2025, 9, 30))
    bundle = import_sources(download, hcpcs_period=given)
    assert bundle["tables"]["noc"]["period"] == {"start": "2025-08-01", "end": "2025-09-30"}
    assert bundle["tables"]["hcpcs"]["source"] == "hcpcs-2025-08/hcpcs-level2.csv"


def test_a_fixed_width_hcpcs_file_adds_dates(download: Path, tmp_path: Path) -> None:
    folder = download / "hcpcs-2025-07"
    (folder / "HCPC2025_JUL_ANWEB_v2.txt").write_bytes(
        fixed(BEVACIZUMAB, FACTOR_VIII, FACTOR_VIII_2, JW)
    )
    with pytest.raises(CmsFileError, match=r"needs exactly one HCPCS Level II file"):
        import_sources(download)
    (folder / "hcpcs-level2.csv").unlink()
    bundle = import_sources(download)
    assert bundle["tables"]["hcpcs"]["source"] == "hcpcs-2025-07/HCPC2025_JUL_ANWEB_v2.txt"
    assert bundle["hcpcs_dates"] == {
        "J7192": {"add": "1994-01-01", "term": None},
        "J9035": {"add": "2005-01-01", "term": None},
        "JW": {"add": "2017-01-01", "term": None},
    }
    write_bundle(bundle, tmp_path / "bundle.json")
    catalog = read_bundle(tmp_path / "bundle.json")
    assert catalog.code_dates("J9035") == CodeDates(date(2005, 1, 1), None)
    assert catalog.code_dates("J2323") is None
    assert catalog.is_hcpcs_code("J7192")
    assert not catalog.is_hcpcs_code("J2323")  # the fixed-width file is the code list now
