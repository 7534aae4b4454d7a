"""The ASP pricing file (``pricing.csv``): each priced code, its dosage and unit size.

Layout (``data/cms/README.md``): preamble lines (title, ``Effective <date> through
<date>``, notes), then the header ``HCPCS Code, Short Description, HCPCS Code Dosage,
Payment Limit, ...``. The period comes from the preamble.

Where the layout is silent:
- Only the columns the catalog uses are read, plus ``Payment Limit``, which must be a
  number or ``N/A``: an unquoted comma in a description shifts the cells right, and the
  dosage landing there is how such a row is caught (the empty Notes cell it pushes past
  the header would not be).
- A code listed twice with the same description and dosage counts once
  (``info["duplicate_rows"]``); listed twice with different ones, the file is refused,
  since either unit size could be the wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from claimscrub.scrubbers.cms.dosage import UnitSize, parse_unit_size
from claimscrub.scrubbers.cms.source import (
    CmsFileError,
    Record,
    RowCounts,
    SourceInfo,
    Table,
    clean,
    column_key,
    effective_period,
    ensure_code,
    read_table,
    sha256,
)

CODE, DESCRIPTION, DOSAGE = "HCPCS Code", "Short Description", "HCPCS Code Dosage"
PAYMENT = "Payment Limit"
_PAYMENT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?|N/A")


@dataclass(frozen=True, slots=True)
class AspEntry:
    code: str
    description: str
    dosage: str  # as CMS writes it, whitespace cleaned
    unit_size: UnitSize | None


@dataclass(frozen=True, slots=True)
class AspPricing:
    source: SourceInfo
    entries: dict[str, AspEntry]


def parse_pricing(data: bytes, name: str = "pricing.csv") -> AspPricing:
    table = read_table(data, name, lambda cell: column_key(cell) == column_key(CODE), CODE)
    columns = _Columns(
        *(table.header.index(column, name) for column in (CODE, DESCRIPTION, DOSAGE, PAYMENT))
    )
    entries: dict[str, AspEntry] = {}
    first_line: dict[str, int] = {}
    duplicates = 0
    for record in table.records:
        entry = _entry(table, record, columns)
        known = entries.setdefault(entry.code, entry)
        if known is entry:
            first_line[entry.code] = record.line
            continue
        if known != entry:
            problem = (
                f"{entry.code} is listed again (line {first_line[entry.code]}) with other values"
            )
            raise CmsFileError(name, problem, record.line, CODE)
        duplicates += 1
    info = {
        "duplicate_rows": duplicates,
        "without_unit_size": sum(entry.unit_size is None for entry in entries.values()),
    }
    source = SourceInfo(
        name, sha256(data), effective_period(table), RowCounts(len(table.records)), info
    )
    return AspPricing(source, dict(sorted(entries.items())))


class _Columns(NamedTuple):
    """The position of each column the loader reads."""

    code: int
    description: int
    dosage: int
    payment: int


def _entry(table: Table, record: Record, columns: _Columns) -> AspEntry:
    code = ensure_code(table.cell(record, columns.code), table.name, record.line, CODE)
    payment = table.cell(record, columns.payment)
    if not payment or not _PAYMENT.fullmatch(payment):
        problem = f'"{payment}" is not a number or N/A: are the cells of this row shifted?'
        raise CmsFileError(table.name, problem, record.line, PAYMENT)
    dosage = clean(table.cell(record, columns.dosage))
    description = clean(table.cell(record, columns.description))
    return AspEntry(code, description, dosage, parse_unit_size(dosage))


def read_pricing(path: Path, name: str | None = None) -> AspPricing:
    """``parse_pricing`` of a file; ``name`` (default: the file's) is what errors and the
    bundle call it."""
    return parse_pricing(path.read_bytes(), name or path.name)
