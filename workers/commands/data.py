"""``claimscrub data``: the reference data the engine loads.

- ``info``: each CMS table of the bundle (source file, period, rows, the file's SHA-256),
  the bundle's digest and the resulting ``ruleset``; stale tables are marked.
- ``import SOURCES --out DIR``: compile a quarter's downloaded CMS files (laid out as
  ``asp-YYYY-MM/`` and ``hcpcs-YYYY-MM/`` folders) into ``DIR/bundle.json``; point the
  worker at it with ``CLAIMSCRUB_DATA_DIR=DIR``. The same files always give the same
  bundle (same digest). Nothing is written when a file is malformed: the error names the
  file, the line and the column.
- ``check [DIR|FILE]``: validate a bundle (structure, digest) and load the engine over it,
  so a bundle that passes is one the worker starts with.

Without an argument, ``info`` and ``check`` read ``CLAIMSCRUB_DATA_DIR``'s bundle, else the
one shipped with the package.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from claimscrub.scrubbers.cms.bundle import check_bundle, shipped_bundle, write_bundle
from claimscrub.scrubbers.cms.importer import import_sources
from claimscrub.scrubbers.errors import ReferenceDataError
from claimscrub.scrubbers.reference import Reference, load_reference
from claimscrub.workers.settings import BUNDLE_FILE


class DataError(Exception):
    """A bundle or a source file that cannot be used: the message says which and why."""


def bundle_path(given: str | None, configured: Path | None) -> Path:
    """The bundle a command means: a file, a directory holding ``bundle.json``, the
    configured one, or the shipped one."""
    if given is None:
        return configured or shipped_bundle()
    path = Path(given)
    return path / BUNDLE_FILE if path.is_dir() else path


def info(path: Path, console: Console) -> None:
    reference = _loaded(path)
    tables: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["tables"]
    stale = reference.cms.stale(datetime.now(UTC).date())
    table = Table(title=f"{path}: ruleset {reference.ruleset}", title_justify="left")
    for column in ("table", "source", "period", "rows kept / read", "SHA-256"):
        table.add_column(column, overflow="fold")
    for name, entry in tables.items():
        period = f"{entry['period']['start']} to {entry['period']['end']}"
        if name in stale:
            period += " [red]stale[/]"
        rows = entry["rows"]
        counts = f"{rows['kept']:,} / {rows['read']:,}"
        table.add_row(name, entry["source"], period, counts, entry["sha256"][:12])
    console.print(table)
    if stale:
        console.print(
            "[red]stale[/]: the period ended more than a quarter ago; CMS has published newer "
            "files: download them and run `claimscrub data import`."
        )
    console.print(f"bundle digest {reference.cms.digest}", highlight=False)
    console.print(f"reviewed data digest {reference.digest}", highlight=False)


def import_(sources: Path, out: Path, console: Console) -> None:
    try:
        bundle = import_sources(sources)
    except (ReferenceDataError, OSError) as error:
        raise DataError(str(error)) from error
    out.mkdir(parents=True, exist_ok=True)
    target = out / BUNDLE_FILE
    write_bundle(bundle, target)
    reference = _loaded(target)
    console.print(
        f"wrote {target}: digest {reference.cms.digest}, ruleset {reference.ruleset}\n"
        f"the worker reads it with CLAIMSCRUB_DATA_DIR={out}",
        highlight=False,
    )


def check(path: Path, console: Console) -> None:
    reference = _loaded(path)
    console.print(f"{path}: ok, digest {reference.cms.digest}, ruleset {reference.ruleset}")


def _loaded(path: Path) -> Reference:
    """The engine's reference data over the bundle at ``path`` (validated, cross-checked)."""
    if not path.is_file():
        raise DataError(f"{path}: no such bundle (run `claimscrub data import`)")
    try:
        check_bundle(path)
        return load_reference(cms_bundle=path)
    except ReferenceDataError as error:
        raise DataError(str(error)) from error
