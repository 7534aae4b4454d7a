"""The ASP NDC-HCPCS crosswalk (``ndc-hcpcs-crosswalk.csv``): which codes each NDC is
billed under, by package and by product (RULES.md, "Identifying the drug").

Layout (``data/cms/README.md``): preamble lines with ``Effective <date> through <date>``,
then a header whose first column is named after the year (``_2025_CODE``: any
``_YYYY_CODE`` is accepted), ``..., NDC2, ...`` and many empty trailing columns.

Where the layout is silent:
- An NDC is kept when the project's NDC grammar (``ndc_format``, RULES.md "NDC") reads it
  as 11 digits: 5-4-2, or 11 digits with hyphens elsewhere (``50016-091605``: 46 rows of
  the 2025-10 file), or an unambiguous 10-digit form; it is stored as ``LLLLL-PPPP-KK``
  and the rewritten ones are counted (``info["ndc_rewritten"]``).
  Anything else (``GG100``, 12 or 14 digits, 5-5) identifies no package: the row is
  skipped and counted (``info["ndc_not_11_digits"]``), never an error.
- An NDC listed under several codes keeps all of them, sorted; a row repeating an NDC and
  code already seen counts once (``info["duplicate_rows"]``).
- The code column must hold a HCPCS code on every row, skipped ones included: a row whose
  code is malformed is a broken file, not an unknown package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from claimscrub.scrubbers.cms.source import (
    RowCounts,
    SourceInfo,
    effective_period,
    ensure_code,
    read_table,
    sha256,
)
from claimscrub.scrubbers.ndc_format import parse_ndc

_YEAR_CODE = re.compile(r"_\d{4}_CODE", re.IGNORECASE)
NDC = "NDC2"


@dataclass(frozen=True, slots=True)
class Crosswalk:
    source: SourceInfo
    ndc_codes: dict[str, tuple[str, ...]]  # LLLLL-PPPP-KK -> sorted codes
    product_codes: dict[str, tuple[str, ...]]  # LLLLL-PPPP -> sorted codes of its packages


def parse_crosswalk(data: bytes, name: str = "ndc-hcpcs-crosswalk.csv") -> Crosswalk:
    table = read_table(data, name, lambda cell: bool(_YEAR_CODE.fullmatch(cell)), "_YYYY_CODE")
    code_column = table.header.names[0]
    ndc_at = table.header.index(NDC, name)
    found: dict[str, set[str]] = {}
    skipped = rewritten = duplicates = 0
    for record in table.records:
        code = ensure_code(table.cell(record, 0), name, record.line, code_column)
        parsed = parse_ndc(table.cell(record, ndc_at))
        if parsed.standard_form is None:
            skipped += 1
            continue
        rewritten += parsed.shape == "convertible"
        codes = found.setdefault(parsed.standard_form, set())
        duplicates += code in codes
        codes.add(code)
    by_product: dict[str, set[str]] = {}
    for ndc, codes in found.items():
        by_product.setdefault(ndc[:10], set()).update(codes)
    info = {
        "ndc_not_11_digits": skipped,
        "ndc_rewritten": rewritten,
        "duplicate_rows": duplicates,
        "ndcs": len(found),
        "ndcs_under_several_codes": sum(len(codes) > 1 for codes in found.values()),
    }
    source = SourceInfo(
        name, sha256(data), effective_period(table), RowCounts(len(table.records), skipped), info
    )
    return Crosswalk(source, _sorted(found), _sorted(by_product))


def _sorted(index: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(sorted(codes)) for key, codes in sorted(index.items())}


def read_crosswalk(path: Path, name: str | None = None) -> Crosswalk:
    """``parse_crosswalk`` of a file; ``name`` (default: the file's) is what errors and the
    bundle call it."""
    return parse_crosswalk(path.read_bytes(), name or path.name)
