"""HCPCS Level II: every code and two-character modifier with its long description, from
CMS's CSV (``hcpcs-level2.csv``) or its fixed-width quarterly file, which adds dates.

Neither says which quarter it is for: the caller gives the period (the importer reads it
from the folder name, ``hcpcs-2025-07``).

CSV layout: header ``HCPCS, LONG_DESCRIPTION``; a cell holds a code (a letter and four
digits) or a modifier (a letter, then a letter or digit). Fixed-width layout (320-byte records,
``data/cms/README.md``): code 1-5, sequence 6-10, record type 11 (3 procedure, 7 modifier,
4 and 8 their continuation lines), long description 12-91, short description 92-119,
pricing indicator 120-121, add date 269-276, action effective date 277-284, termination
date 285-292, action code 293; dates ``YYYYMMDD``, blank when none.

Where the layouts are silent:
- A value listed twice with the same description counts once
  (``info["duplicate_rows"]``); with another description the file is refused.
- Fixed width: the code field is trimmed on both sides, since CMS's record layout puts a
  modifier in positions 4-5 while others write it in 1-2. Lines are taken in file order
  (the sequence number is not read). A continuation line must follow a line of the same
  code and kind; the long description is its lines' pieces trimmed and joined by one
  space, as CMS breaks it between words (the NOC list's continuation rows show the same).
  Dates are the first line's. A line may be shorter than 320 bytes (trailing blanks
  trimmed by a tool) but never longer; bytes are Windows-1252, one character each, so
  positions stay byte positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from claimscrub.scrubbers.cms.source import (
    HCPCS_CODE,
    MODIFIER,
    CmsFileError,
    Period,
    RowCounts,
    SourceInfo,
    clean,
    column_key,
    read_table,
    sha256,
    yyyymmdd,
)

CODE, DESCRIPTION = "HCPCS", "LONG DESCRIPTION"
RECORD_LENGTH = 320
CODE_FIELD = "code (1-5)"


@dataclass(frozen=True, slots=True)
class CodeDates:
    added: date | None
    terminated: date | None


@dataclass(frozen=True, slots=True)
class HcpcsTable:
    source: SourceInfo
    codes: dict[str, str]  # code -> long description
    modifiers: dict[str, str]  # modifier -> long description
    dates: dict[str, CodeDates] = field(default_factory=dict)  # fixed-width file only


@dataclass(frozen=True, slots=True)
class HcpcsRecord:
    """One code or modifier of the fixed-width file, its continuation lines joined."""

    code: str
    is_modifier: bool
    long_description: str
    short_description: str
    pricing_indicator: str
    added: date | None
    action_effective: date | None
    terminated: date | None
    action_code: str
    line: int  # where its first line is


def parse_hcpcs_csv(data: bytes, period: Period, name: str = "hcpcs-level2.csv") -> HcpcsTable:
    table = read_table(data, name, lambda cell: column_key(cell) == column_key(CODE), CODE)
    code_at, description_at = (table.header.index(column, name) for column in (CODE, DESCRIPTION))
    found: dict[str, tuple[str, int]] = {}
    duplicates = 0
    for record in table.records:
        value = table.cell(record, code_at)
        if not (HCPCS_CODE.fullmatch(value) or MODIFIER.fullmatch(value)):
            problem = f'"{value}" is neither a HCPCS code nor a modifier'
            raise CmsFileError(name, problem, record.line, CODE)
        description = clean(table.cell(record, description_at))
        if not description:
            raise CmsFileError(name, f"{value} has no description", record.line, DESCRIPTION)
        duplicates += _add(found, value, description, (name, record.line, CODE))
    codes, modifiers = _split({key: text for key, (text, _) in found.items()})
    info = {"codes": len(codes), "modifiers": len(modifiers), "duplicate_rows": duplicates}
    source = SourceInfo(name, sha256(data), period, RowCounts(len(table.records)), info)
    return HcpcsTable(source, codes, modifiers)


def parse_hcpcs_fixed(data: bytes, period: Period, name: str) -> HcpcsTable:
    records = fixed_width_records(data, name)
    found: dict[str, tuple[str, int]] = {}
    dates: dict[str, CodeDates] = {}
    duplicates = 0
    for record in records:
        where = (name, record.line, CODE_FIELD)
        duplicates += _add(found, record.code, record.long_description, where)
        dates[record.code] = CodeDates(record.added, record.terminated)
    codes, modifiers = _split({key: text for key, (text, _) in found.items()})
    lines = sum(1 for line in data.splitlines() if line.strip())
    info = {"codes": len(codes), "modifiers": len(modifiers), "duplicate_rows": duplicates}
    source = SourceInfo(name, sha256(data), period, RowCounts(lines), info)
    return HcpcsTable(source, codes, modifiers, dict(sorted(dates.items())))


def _add(
    found: dict[str, tuple[str, int]], key: str, text: str, where: tuple[str, int, str]
) -> int:
    """Record ``key`` found at ``where`` (file, line, column); 1 when it repeats what is
    known, an error when it contradicts it."""
    name, line, column = where
    if key not in found:
        found[key] = (text, line)
        return 0
    known, first = found[key]
    if known != text:
        problem = f"{key} is listed again (line {first}) with another description"
        raise CmsFileError(name, problem, line, column)
    return 1


def _split(found: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    ordered = sorted(found.items())
    return (
        {key: text for key, text in ordered if len(key) == 5},
        {key: text for key, text in ordered if len(key) == 2},
    )


def fixed_width_records(data: bytes, name: str) -> list[HcpcsRecord]:
    """The fixed-width file's codes and modifiers, in file order."""
    records: list[HcpcsRecord] = []
    for number, text in _lines(data, name):
        kind = text[10]
        if kind in "37":
            records.append(_first_line(text, number, name))
            continue
        if kind not in "48":
            problem = f'"{kind}" is not a record type (3, 4, 7 or 8)'
            raise CmsFileError(name, problem, number, "record type (11)")
        code, previous = text[0:5].strip(), records[-1] if records else None
        if previous is None or previous.code != code or previous.is_modifier != (kind == "8"):
            problem = f'a continuation line ({kind}) of "{code}" follows no line of it'
            raise CmsFileError(name, problem, number, "record type (11)")
        joined = clean(f"{previous.long_description} {text[11:91]}")
        records[-1] = replace(previous, long_description=joined)
    if not records:
        raise CmsFileError(name, "no records")
    return records


def _lines(data: bytes, name: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(raw) > RECORD_LENGTH:
            problem = f"{len(raw)} bytes, a record has {RECORD_LENGTH}"
            raise CmsFileError(name, problem, number)
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as error:
            problem = f"byte 0x{raw[error.start]:02X} is not Windows-1252"
            raise CmsFileError(name, problem, number, f"position {error.start + 1}") from error
        yield number, text.ljust(RECORD_LENGTH)


def _first_line(text: str, number: int, name: str) -> HcpcsRecord:
    is_modifier = text[10] == "7"
    code = text[0:5].strip()
    if not (MODIFIER if is_modifier else HCPCS_CODE).fullmatch(code):
        kind = "modifier" if is_modifier else "HCPCS code"
        raise CmsFileError(name, f'"{code}" is not a {kind}', number, CODE_FIELD)
    added = yyyymmdd(text[268:276].strip(), name, number, "add date (269-276)")
    terminated = yyyymmdd(text[284:292].strip(), name, number, "termination date (285-292)")
    if added is not None and terminated is not None and terminated < added:
        problem = f"{code} ends ({terminated}) before it is added ({added})"
        raise CmsFileError(name, problem, number, "termination date (285-292)")
    return HcpcsRecord(
        code=code,
        is_modifier=is_modifier,
        long_description=text[11:91].strip(),
        short_description=text[91:119].strip(),
        pricing_indicator=text[119:121].strip(),
        added=added,
        action_effective=yyyymmdd(
            text[276:284].strip(), name, number, "action effective date (277-284)"
        ),
        terminated=terminated,
        action_code=text[292].strip(),
        line=number,
    )


def read_hcpcs(path: Path, period: Period, name: str | None = None) -> HcpcsTable:
    """The CSV (``*.csv``) or fixed-width file at ``path``; ``name`` (default: the file's)
    is what errors and the bundle call it."""
    parse = parse_hcpcs_csv if path.suffix.casefold() == ".csv" else parse_hcpcs_fixed
    return parse(path.read_bytes(), period, name or path.name)
