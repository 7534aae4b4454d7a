"""What every CMS file loader shares: decoding, CSV records with line numbers, the header
row, periods, counts and the one error type.

Choices where the CMS files and RULES.md are silent:
- Bytes are read as UTF-8 when they are valid UTF-8 (plain ASCII included), else as
  Windows-1252: the ASP files are Windows-1252 (0xA0, 0x99), the HCPCS and NOC files UTF-8,
  and a Windows-1252 file with any byte above 0x7F is practically never valid UTF-8, so a
  quarter that changes encoding still reads right. A leading UTF-8 byte-order mark is
  dropped.
- Line numbers are physical lines as an editor counts them: a quoted cell holding a line
  feed (pricing.csv, A9606) takes two, and a record's number is the line it starts on.
- Columns are found by header name, compared ignoring case, surrounding spaces,
  underscores and repeated spaces (``LONG_DESCRIPTION`` = ``LONG DESCRIPTION``), so a
  reordered or widened file still reads. A record must reach every column the loader
  reads; cells past the last named column must be empty, since a value there means the
  record's cells shifted (an unquoted comma) and every column after it would be misread.
- Texts are kept with surrounding whitespace trimmed and inner runs of whitespace
  (non-breaking spaces, line feeds) turned into one space.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from claimscrub.scrubbers.errors import ReferenceDataError

# HCPCS Level II: a code is a letter and four digits; a modifier is a letter and a letter
# or digit (JW, A1). Numeric modifiers (25, 59) are Level I (CPT) and never in these files.
HCPCS_CODE = re.compile(r"[A-Z]\d{4}")
MODIFIER = re.compile(r"[A-Z][A-Z0-9]")

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_EFFECTIVE = re.compile(
    r"effective\s+(\w+)\s+(\d{1,2}),\s*(\d{4})\s+through\s+(\w+)\s+(\d{1,2}),\s*(\d{4})",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


class CmsFileError(ReferenceDataError):
    """A CMS file that cannot be read as its layout says; nothing of it is loaded.

    The message names the file, the line and the column where the problem is:
    ``pricing.csv line 12 column "HCPCS Code": "J90" is not a HCPCS code``."""

    def __init__(
        self, file: str, problem: str, line: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.line, self.column, self.problem = file, line, column, problem
        where = file
        if line is not None:
            where += f" line {line}"
        if column is not None:
            where += f' column "{column}"'
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class Period:
    """The dates a CMS table is published for, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def quarter(cls, year: int, month: int) -> Period:
        """The calendar quarter that begins in ``month`` (1, 4, 7 or 10)."""
        if month not in (1, 4, 7, 10):
            raise ValueError(f"{year}-{month:02d} does not begin a quarter (01, 04, 07, 10)")
        after = date(year + 1, 1, 1) if month == 10 else date(year, month + 3, 1)
        return cls(date(year, month, 1), after - timedelta(days=1))


@dataclass(frozen=True, slots=True)
class RowCounts:
    """Data records read (blank ones are not records), kept in the table, and skipped."""

    read: int
    skipped: int = 0

    @property
    def kept(self) -> int:
        return self.read - self.skipped


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a table came from: the name it was read under, its bytes' SHA-256, its period,
    its row counts and file-specific counts worth reporting (``info``)."""

    name: str
    sha256: str
    period: Period
    rows: RowCounts
    info: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Record:
    """One CSV record and the physical line it starts on."""

    line: int
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass(frozen=True, slots=True)
class Header:
    """The header row: where it is, and which column each wanted name is in."""

    line: int
    names: list[str]  # as written, trimmed
    width: int  # up to the last named column

    def index(self, name: str, file: str) -> int:
        wanted = column_key(name)
        for position, written in enumerate(self.names):
            if column_key(written) == wanted:
                return position
        raise CmsFileError(file, f'the header has no column "{name}"', self.line)


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file split at its header row."""

    name: str
    preamble: list[Record]
    header: Header
    records: list[Record]  # non-blank records after the header

    def cell(self, record: Record, position: int) -> str:
        """The cell at ``position``, trimmed; a record too short to reach it is malformed."""
        if position >= len(record.cells):
            problem = f"{len(record.cells)} cells, but the header names {self.header.width} columns"
            raise CmsFileError(self.name, problem, record.line, self.header.names[position])
        return record.cells[position].strip()


def column_key(name: str) -> str:
    return _SPACES.sub(" ", name.replace("_", " ")).strip().casefold()


def clean(text: str) -> str:
    """Trimmed, with every run of whitespace (NBSP and line feeds too) one space."""
    return _SPACES.sub(" ", text).strip()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise CmsFileError(
            name, f"byte 0x{byte:02X} is neither UTF-8 nor Windows-1252", line
        ) from error


def read_table(
    data: bytes, name: str, is_header: Callable[[str], bool], first_column: str
) -> Table:
    """Decode ``data`` and split it at the first record whose first cell ``is_header``
    accepts (``first_column`` says what it looks for): the preamble before it (titles,
    notes) varies from quarter to quarter, so the header is found by content, not count."""
    records = _records(decode(data, name), name)
    for position, record in enumerate(records):
        if record.cells and is_header(record.cells[0].strip()):
            names = [cell.strip() for cell in record.cells]
            width = max(index for index, cell in enumerate(names) if cell) + 1
            rows = [_within(name, r, width, names) for r in records[position + 1 :] if not r.blank]
            if not rows:  # a download cut short after the header must not load as empty
                raise CmsFileError(name, "no rows after the header", record.line)
            return Table(name, records[:position], Header(record.line, names, width), rows)
    raise CmsFileError(name, f'no header row (a record whose first cell is "{first_column}")')


def _records(text: str, name: str) -> list[Record]:
    # newline="" keeps a line feed inside a quoted cell in the cell, as the csv module needs.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    found: list[Record] = []
    start = 1
    try:
        for cells in reader:
            found.append(Record(start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise CmsFileError(name, f"not valid CSV ({error})", reader.line_num) from error
    return found


def _within(name: str, record: Record, width: int, names: Sequence[str]) -> Record:
    extra = [cell for cell in record.cells[width:] if cell.strip()]
    if extra:
        problem = (
            f'"{extra[0].strip()}" lies past the last named column'
            f' ("{names[width - 1]}"): the cells of this record are shifted'
        )
        raise CmsFileError(name, problem, record.line)
    return record


def effective_period(table: Table) -> Period:
    """The period an ASP file states before its header:
    ``Effective October 1, 2025 through December 31, 2025``."""
    for record in table.preamble:
        for cell in record.cells:
            found = _EFFECTIVE.search(cell)
            if found:
                return _period(table.name, record.line, found.groups())
    raise CmsFileError(
        table.name,
        'no "Effective <Month> <day>, <year> through <Month> <day>, <year>" line before the header',
    )


def _period(name: str, line: int, parts: Sequence[str]) -> Period:
    try:
        start, end = (
            date(int(year), _MONTHS[month.casefold()], int(day))
            for month, day, year in (parts[:3], parts[3:])
        )
        return Period(start, end)
    except (KeyError, ValueError) as error:
        problem = f"the effective period is not a valid date range ({error})"
        raise CmsFileError(name, problem, line) from error


def yyyymmdd(value: str, table: str, line: int, column: str) -> date | None:
    """A CMS date (``20250701``); blank is none."""
    if not value:
        return None
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError("expected YYYYMMDD")
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as error:
        raise CmsFileError(table, f'"{value}" is not a date ({error})', line, column) from error


def ensure_code(value: str, table: str, line: int, column: str) -> str:
    if not HCPCS_CODE.fullmatch(value):
        raise CmsFileError(table, f'"{value}" is not a HCPCS code', line, column)
    return value
