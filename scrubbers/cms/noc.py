"""CMS's list of not-otherwise-classified codes (``noc-codes.csv``): code, long
description, add and termination dates.

The list carries no period: the caller gives it (the importer reads it from the folder
name, ``hcpcs-2025-07``). This is the whole CMS list; the NOC *drug* codes of RULES.md are
a reviewed short list chosen from it.

Layout: header ``HCPCS, LONG DESCRIPTION, ADD DATE, TERM DATE``, dates ``YYYYMMDD``. A
description longer than a cell continues on the next row: the same code, empty dates.

Where the layout is silent:
- A continuation row's text joins the description with one space (J7192: "... not
  otherwise" + "specified"). A row without dates that does not follow a row of its code,
  or a row with a termination date but no add date, breaks the file.
- A code listed again with the same description and dates counts once
  (``info["duplicate_rows"]``); with other values the file is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from claimscrub.scrubbers.cms.source import (
    CmsFileError,
    Period,
    RowCounts,
    SourceInfo,
    clean,
    column_key,
    ensure_code,
    read_table,
    sha256,
    yyyymmdd,
)

CODE, DESCRIPTION, ADDED, TERMINATED = "HCPCS", "LONG DESCRIPTION", "ADD DATE", "TERM DATE"


@dataclass(frozen=True, slots=True)
class NocEntry:
    description: str
    added: date | None
    terminated: date | None


@dataclass(frozen=True, slots=True)
class NocList:
    source: SourceInfo
    entries: dict[str, NocEntry]


def parse_noc(data: bytes, period: Period, name: str = "noc-codes.csv") -> NocList:
    table = read_table(data, name, lambda cell: column_key(cell) == column_key(CODE), CODE)
    code_at, description_at, added_at, terminated_at = (
        table.header.index(column, name) for column in (CODE, DESCRIPTION, ADDED, TERMINATED)
    )
    entries: dict[str, NocEntry] = {}
    first_line: dict[str, int] = {}
    previous: str | None = None
    continuations = duplicates = 0
    for record in table.records:
        line = record.line
        code = ensure_code(table.cell(record, code_at), name, line, CODE)
        text = clean(table.cell(record, description_at))
        added = yyyymmdd(table.cell(record, added_at), name, line, ADDED)
        terminated = yyyymmdd(table.cell(record, terminated_at), name, line, TERMINATED)
        if added is None and terminated is None:
            if code != previous:
                problem = f"{code} has no dates and continues no row of its code"
                raise CmsFileError(name, problem, line, ADDED)
            joined = clean(f"{entries[code].description} {text}")
            entries[code] = replace(entries[code], description=joined)
            continuations += 1
            continue
        entry = _entry(code, NocEntry(text, added, terminated), name, line)
        if code in entries:
            if entries[code] != entry:
                problem = f"{code} is listed again (line {first_line[code]}) with other values"
                raise CmsFileError(name, problem, line, CODE)
            duplicates += 1
        entries.setdefault(code, entry)
        first_line.setdefault(code, line)
        previous = code
    info = {
        "codes": len(entries),
        "continuation_rows": continuations,
        "duplicate_rows": duplicates,
    }
    source = SourceInfo(name, sha256(data), period, RowCounts(len(table.records)), info)
    return NocList(source, dict(sorted(entries.items())))


def _entry(code: str, entry: NocEntry, name: str, line: int) -> NocEntry:
    """``entry`` when it is a complete first row of ``code``."""
    if entry.added is None:
        raise CmsFileError(name, f"{code} has a termination date but no add date", line, ADDED)
    if entry.terminated is not None and entry.terminated < entry.added:
        problem = f"{code} ends ({entry.terminated}) before it is added ({entry.added})"
        raise CmsFileError(name, problem, line, TERMINATED)
    if not entry.description:
        raise CmsFileError(name, f"{code} has no description", line, DESCRIPTION)
    return entry


def read_noc(path: Path, period: Period, name: str | None = None) -> NocList:
    """``parse_noc`` of a file; ``name`` (default: the file's) is what errors and the
    bundle call it."""
    return parse_noc(path.read_bytes(), period, name or path.name)
