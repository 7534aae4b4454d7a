"""The CMS reference bundle: the four loaded tables compiled into one JSON document that
the engine reads at start-up (``read_bundle``) instead of parsing CMS's files.

Layout (``format`` 1)::

    {"format": 1,
     "tables": {"asp_pricing" | "ndc_crosswalk" | "hcpcs" | "noc": {
         "source": "asp-2025-10/pricing.csv", "sha256": "<hex of the source bytes>",
         "period": {"start": "2025-10-01", "end": "2025-12-31"},
         "rows": {"read": 978, "kept": 978, "skipped": 0}, "info": {"<count>": 0, ...}}},
     "unit_sizes": {"J9035": [10.0, "mg"], ...},         ASP codes that have one
     "asp": {"J9035": {"dosage": "10 MG", "description": "Bevacizumab injection"}, ...},
     "ndc_codes": {"64406-0008-01": ["J2323"], ...},     sorted unique codes
     "product_codes": {"64406-0008": ["J2323"], ...},    codes of every package
     "hcpcs_codes": {"J9035": "<long description>", ...},
     "modifiers": {"JW": "<long description>", ...},
     "noc": {"J3490": {"description": "...", "add": "1986-01-01", "term": null}, ...},
     "hcpcs_dates": {"J9035": {"add": "...", "term": null}, ...},  fixed-width file only
     "digest": "<SHA-256 of the canonical JSON of everything above>"}

Choices:
- The canonical JSON is ``json.dumps`` with sorted keys, no whitespace and UTF-8 text; the
  digest covers every key but itself, and nothing in the bundle depends on when or where
  it was built, so identical sources give an identical bundle and digest.
- The file on disk is indented one space per level with sorted keys, so a new quarter
  reviews as a readable diff; its formatting does not enter the digest.
- Reading validates the structure and the digest before anything is indexed: a bundle
  edited by hand, truncated or from another format is refused with ``CmsBundleError``.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from claimscrub.scrubbers.cms.asp_pricing import AspPricing
from claimscrub.scrubbers.cms.catalog import AspText, CmsCatalog
from claimscrub.scrubbers.cms.crosswalk import Crosswalk
from claimscrub.scrubbers.cms.dosage import UnitSize
from claimscrub.scrubbers.cms.hcpcs import CodeDates, HcpcsTable
from claimscrub.scrubbers.cms.noc import NocEntry, NocList
from claimscrub.scrubbers.cms.source import SourceInfo
from claimscrub.scrubbers.errors import ReferenceDataError

FORMAT = 1
TABLES = ("asp_pricing", "ndc_crosswalk", "hcpcs", "noc")


class CmsBundleError(ReferenceDataError):
    """A bundle file that is not what ``build_bundle`` writes: wrong shape or digest."""


def build_bundle(
    pricing: AspPricing, crosswalk: Crosswalk, hcpcs: HcpcsTable, noc: NocList
) -> dict[str, Any]:
    """One deterministic document from the four tables; see the module's layout."""
    sources = (pricing.source, crosswalk.source, hcpcs.source, noc.source)
    body: dict[str, Any] = {
        "format": FORMAT,
        "tables": {table: _table(source) for table, source in zip(TABLES, sources, strict=True)},
        "unit_sizes": {
            code: [entry.unit_size.amount, entry.unit_size.unit]
            for code, entry in sorted(pricing.entries.items())
            if entry.unit_size is not None
        },
        "asp": {
            code: {"dosage": entry.dosage, "description": entry.description}
            for code, entry in sorted(pricing.entries.items())
        },
        "ndc_codes": {ndc: list(codes) for ndc, codes in crosswalk.ndc_codes.items()},
        "product_codes": {key: list(codes) for key, codes in crosswalk.product_codes.items()},
        "hcpcs_codes": dict(hcpcs.codes),
        "modifiers": dict(hcpcs.modifiers),
        "noc": {
            code: {"description": entry.description, **_dates(entry.added, entry.terminated)}
            for code, entry in noc.entries.items()
        },
        "hcpcs_dates": {
            code: _dates(dates.added, dates.terminated) for code, dates in hcpcs.dates.items()
        },
    }
    return {**body, "digest": bundle_digest(body)}


def _table(source: SourceInfo) -> dict[str, Any]:
    rows = source.rows
    return {
        "source": source.name,
        "sha256": source.sha256,
        "period": {"start": source.period.start.isoformat(), "end": source.period.end.isoformat()},
        "rows": {"read": rows.read, "kept": rows.kept, "skipped": rows.skipped},
        "info": dict(sorted(source.info.items())),
    }


def _dates(added: date | None, terminated: date | None) -> dict[str, str | None]:
    return {
        "add": None if added is None else added.isoformat(),
        "term": None if terminated is None else terminated.isoformat(),
    }


def bundle_digest(bundle: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of every key but ``digest``."""
    body = {key: value for key, value in bundle.items() if key != "digest"}
    canonical = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_bundle(bundle: Mapping[str, Any], path: Path) -> None:
    """Write ``bundle`` after checking it as ``read_bundle`` will; the file is replaced
    whole, so a reader never sees half of it."""
    _validated(bundle, path.name)
    text = json.dumps(bundle, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, path)


def check_bundle(path: Path) -> str:
    """Validate the bundle at ``path`` (structure, cross-references, digest) and return its
    digest; ``CmsBundleError`` names the file and what is wrong."""
    with _collector_paused():
        return _validated(_read(path), path.name).digest


def read_bundle(path: Path) -> CmsCatalog:
    """The catalog in the bundle at ``path``, validated as ``check_bundle`` does."""
    with _collector_paused():
        bundle = _validated(_read(path), path.name)
        return CmsCatalog(
            digest=bundle.digest,
            periods={
                name: (table.period.start, table.period.end) for name, table in _tables(bundle)
            },
            unit_sizes={code: UnitSize(*size) for code, size in bundle.unit_sizes.items()},
            asp_texts={
                code: AspText(asp.dosage, asp.description) for code, asp in bundle.asp.items()
            },
            asp_codes=frozenset(bundle.asp),
            ndc_index={ndc: tuple(codes) for ndc, codes in bundle.ndc_codes.items()},
            product_index={key: tuple(codes) for key, codes in bundle.product_codes.items()},
            hcpcs_codes=bundle.hcpcs_codes,
            modifiers=bundle.modifiers,
            noc_entries={
                code: NocEntry(noc.description, noc.add, noc.term)
                for code, noc in bundle.noc.items()
            },
            dates={
                code: CodeDates(when.add, when.term) for code, when in bundle.hcpcs_dates.items()
            },
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading makes some 100,000 objects, none in a cycle; the cyclic garbage collector
    would run over the whole heap many times meanwhile (three quarters of the read time in
    a started worker), for nothing."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def shipped_bundle() -> Path:
    """The bundle shipped with the package (``scrubbers/data/cms/bundle.json``)."""
    return Path(str(files("claimscrub.scrubbers.data"))) / "cms" / "bundle.json"


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise CmsBundleError(f"{path.name}: not a readable JSON document ({error})") from error


def _validated(document: Any, name: str) -> _Bundle:
    try:
        bundle = _Bundle.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, detail['loc'])) or 'document'}: {detail['msg']}"
            for detail in error.errors(include_url=False)[:5]
        )
        raise CmsBundleError(f"{name}: {problems}") from error
    digest = bundle_digest(document)
    if digest != bundle.digest:
        raise CmsBundleError(
            f"{name}: digest {bundle.digest} does not match its content ({digest}): the file"
            " was changed after it was built; rebuild it from the sources"
        )
    return bundle


def _tables(bundle: _Bundle) -> list[tuple[str, _Table]]:
    return [(name, getattr(bundle.tables, name)) for name in TABLES]


def _sorted_unique(codes: list[str]) -> list[str]:
    if codes != sorted(set(codes)):
        raise ValueError("codes must be sorted and unique")
    return codes


_Code = Annotated[str, Field(pattern=r"^[A-Z]\d{4}$")]
_Modifier = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]$")]
_Codes = Annotated[list[_Code], Field(min_length=1), AfterValidator(_sorted_unique)]
_Ndc = Annotated[str, Field(pattern=r"^\d{5}-\d{4}-\d{2}$")]
_Product = Annotated[str, Field(pattern=r"^\d{5}-\d{4}$")]
_Count = Annotated[int, Field(ge=0)]
_Unit = Literal["mg", "mcg", "g", "mL", "IU"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Period(_Part):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> _Period:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self


class _Rows(_Part):
    read: _Count
    kept: _Count
    skipped: _Count

    @model_validator(mode="after")
    def _adds_up(self) -> _Rows:
        if self.kept + self.skipped != self.read:
            raise ValueError("kept + skipped must equal read")
        return self


class _Table(_Part):
    source: Annotated[str, Field(min_length=1)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    period: _Period
    rows: _Rows
    info: dict[str, _Count]


class _Tables(_Part):
    asp_pricing: _Table
    ndc_crosswalk: _Table
    hcpcs: _Table
    noc: _Table


class _Asp(_Part):
    dosage: str
    description: str


class _Dates(_Part):
    add: date | None
    term: date | None


class _Noc(_Dates):
    description: Annotated[str, Field(min_length=1)]


class _Bundle(_Part):
    format: Literal[1]
    tables: _Tables
    unit_sizes: dict[_Code, tuple[Annotated[float, Field(gt=0)], _Unit]]
    asp: dict[_Code, _Asp]
    ndc_codes: dict[_Ndc, _Codes]
    product_codes: dict[_Product, _Codes]
    hcpcs_codes: dict[_Code, str]
    modifiers: dict[_Modifier, str]
    noc: dict[_Code, _Noc]
    hcpcs_dates: dict[Annotated[str, Field(pattern=r"^([A-Z]\d{4}|[A-Z][A-Z0-9])$")], _Dates]
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    @model_validator(mode="after")
    def _cross_references(self) -> _Bundle:
        if not self.unit_sizes.keys() <= self.asp.keys():
            raise ValueError("unit_sizes names codes that asp does not list")
        products: dict[str, set[str]] = {}
        for ndc, codes in self.ndc_codes.items():
            products.setdefault(ndc[:10], set()).update(codes)
        if {key: sorted(codes) for key, codes in products.items()} != self.product_codes:
            raise ValueError("product_codes is not the union of ndc_codes by product")
        return self
