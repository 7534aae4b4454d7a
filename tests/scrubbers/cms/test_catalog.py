"""``CmsCatalog`` over the shipped bundle: the look-ups the rules make, checked against
facts of the CMS files (``DRUGS.md``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from claimscrub.scrubbers.cms import CmsCatalog, UnitSize, read_bundle, shipped_bundle
from claimscrub.scrubbers.cms.catalog import AspText
from claimscrub.scrubbers.cms.noc import NocEntry


@pytest.fixture(scope="module")
def catalog() -> CmsCatalog:
    return read_bundle(shipped_bundle())


@pytest.mark.parametrize(
    ("code", "size"),
    [
        ("J2323", UnitSize(1, "mg")),
        ("J2327", UnitSize(1, "mg")),
        ("J2329", UnitSize(1, "mg")),
        ("J1322", UnitSize(1, "mg")),
        ("J2315", UnitSize(1, "mg")),
        ("J9035", UnitSize(10, "mg")),
        ("J9271", UnitSize(1, "mg")),
        ("J0897", UnitSize(1, "mg")),
        ("J2791", UnitSize(100, "IU")),
        ("J0585", UnitSize(1, "IU")),
        ("J9201", UnitSize(200, "mg")),  # gemcitabine NOS: a NOC-list code with a dose
    ],
)
def test_unit_size(catalog: CmsCatalog, code: str, size: UnitSize) -> None:
    assert catalog.unit_size(code) == size
    assert catalog.unit_size(code) == (size.amount, size.unit)  # a plain tuple too


def test_codes_without_a_unit_size(catalog: CmsCatalog) -> None:
    assert catalog.unit_size("Q4111") is None  # "1 SQ CM"
    assert catalog.asp_text("Q4111") == AspText("1 SQ CM", "Gammagraft")
    assert catalog.unit_size("J2320") is None  # not priced this quarter
    assert catalog.asp_text("J2320") is None
    assert len(catalog.asp_codes) == 978
    assert "J2323" in catalog.asp_codes


@pytest.mark.parametrize(
    ("ndc", "codes"),
    [
        ("64406-0008-01", ("J2323",)),
        ("64406000801", ("J2323",)),  # bare 11 digits
        ("00074-5015-01", ("J2327",)),
        ("73150-0150-06", ("J2329",)),
        ("00264-5802-00", ("J7030", "J7040", "J7050")),
        ("50016-0916-05", ("Q4205",)),  # written 50016-091605 in the crosswalk
        ("64406-0008-99", ("J2323",)),  # not listed: the other packages of its product
        ("00024-5911-01", ()),  # Dupixent: no code
    ],
)
def test_ndc_codes(catalog: CmsCatalog, ndc: str, codes: tuple[str, ...]) -> None:
    assert catalog.ndc_codes(ndc) == codes
    assert catalog.ndc_known(ndc) is bool(codes)


def test_a_listed_ndc_keeps_its_own_codes_over_its_product(catalog: CmsCatalog) -> None:
    # Every package of 55513-0002 is listed under J0881 and J0882; one listed package
    # answers with its own codes, never the product's.
    assert catalog.ndc_codes("55513-0002-04") == ("J0881", "J0882")
    product = catalog.product_index["55513-0002"]
    assert set(catalog.ndc_codes("55513-0002-04")) <= set(product)


@pytest.mark.parametrize("ndc", ["0024-5911-01", "GG100", "888867413689", ""])
def test_ndc_codes_wants_eleven_digits(catalog: CmsCatalog, ndc: str) -> None:
    with pytest.raises(ValueError, match="is not an 11-digit NDC"):
        catalog.ndc_codes(ndc)


def test_codes_and_modifiers(catalog: CmsCatalog) -> None:
    assert catalog.is_hcpcs_code("J2323")
    assert catalog.is_hcpcs_code("J1020")  # retired since, but in this file
    assert not catalog.is_hcpcs_code("J9998")
    assert not catalog.is_hcpcs_code("99213")  # CPT: never shipped
    assert catalog.is_modifier("JW")
    assert catalog.is_modifier("JZ")
    assert not catalog.is_modifier("25")  # Level I
    assert not catalog.is_modifier("ZZ")
    assert len(catalog.hcpcs_codes) == 8387
    assert len(catalog.modifiers) == 383


def test_noc(catalog: CmsCatalog) -> None:
    assert catalog.noc("J3490") == NocEntry("Unclassified drugs", date(1986, 1, 1), None)
    assert catalog.noc("J2323") is None
    entry = catalog.noc("A9599")
    assert entry is not None
    assert entry.terminated == date(2017, 12, 31)


def test_description(catalog: CmsCatalog) -> None:
    assert catalog.description("J2323") == "Injection, natalizumab, 1 mg"
    assert catalog.description("JW") == "Drug amount discarded/not administered to any patient"
    assert catalog.description("J0000") is None


def test_periods_and_digest(catalog: CmsCatalog) -> None:
    assert catalog.periods == {
        "asp_pricing": (date(2025, 10, 1), date(2025, 12, 31)),
        "ndc_crosswalk": (date(2025, 10, 1), date(2025, 12, 31)),
        "hcpcs": (date(2025, 7, 1), date(2025, 9, 30)),
        "noc": (date(2025, 7, 1), date(2025, 9, 30)),
    }
    assert len(catalog.digest) == 64
    assert catalog.code_dates("J2323") is None  # no fixed-width file shipped


def test_the_catalog_is_frozen(catalog: CmsCatalog) -> None:
    with pytest.raises(AttributeError):
        catalog.digest = "0" * 64  # type: ignore[misc]


def test_a_table_is_stale_a_quarter_after_its_period_ended() -> None:
    cms = read_bundle(shipped_bundle())
    _, end = cms.periods["asp_pricing"]
    assert "asp_pricing" not in cms.stale(end + timedelta(days=92))
    assert "asp_pricing" in cms.stale(end + timedelta(days=93))
