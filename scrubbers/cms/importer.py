"""Find the four CMS files in a download directory and compile them into a bundle.

The directory is laid out as ``data/cms`` is (its README gives each file)::

    asp-YYYY-MM/pricing.csv
    asp-YYYY-MM/ndc-hcpcs-crosswalk.csv
    hcpcs-YYYY-MM/hcpcs-level2.csv    or one fixed-width file: hcpcs-level2.txt or
                                      CMS's own name, HCPC<year>_<MON>_ANWEB*.txt
    hcpcs-YYYY-MM/noc-codes.csv

Choices where the spec is silent:
- With several ``asp-*`` or ``hcpcs-*`` folders the newest (by YYYY-MM) is read: a
  download directory collects quarters, and the product loads the newest it is given.
- The HCPCS file and NOC list carry no period: it is the calendar quarter their folder
  names (``hcpcs-2025-07``: 2025-07-01 to 2025-09-30) unless ``hcpcs_period`` is given; a
  folder month that begins no quarter needs it. The ASP files state their own.
- Each table's source is named by its path inside the directory (``asp-2025-10/
  pricing.csv``), so the same files anywhere build the same bundle.
- Exactly one HCPCS Level II file: a folder holding the CSV and a fixed-width file is
  refused rather than one of them silently ignored.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from claimscrub.scrubbers.cms.asp_pricing import read_pricing
from claimscrub.scrubbers.cms.bundle import build_bundle
from claimscrub.scrubbers.cms.crosswalk import read_crosswalk
from claimscrub.scrubbers.cms.hcpcs import read_hcpcs
from claimscrub.scrubbers.cms.noc import read_noc
from claimscrub.scrubbers.cms.source import CmsFileError, Period

PRICING, CROSSWALK, NOC = "pricing.csv", "ndc-hcpcs-crosswalk.csv", "noc-codes.csv"
HCPCS_FILES = ("hcpcs-level2.csv", "hcpcs-level2.txt", "hcpc*_anweb*.txt")


def import_sources(directory: Path, *, hcpcs_period: Period | None = None) -> dict[str, Any]:
    """The bundle of the CMS files in ``directory``; a missing or malformed file raises
    ``CmsFileError`` naming it."""
    asp, _ = _newest(directory, "asp")
    hcpcs, (year, month) = _newest(directory, "hcpcs")
    if hcpcs_period is None:
        try:
            hcpcs_period = Period.quarter(year, month)
        except ValueError as error:
            raise CmsFileError(hcpcs.name, f"{error}: pass hcpcs_period") from error
    hcpcs_file = _hcpcs_file(hcpcs)
    return build_bundle(
        read_pricing(_file(asp / PRICING), _name(directory, asp / PRICING)),
        read_crosswalk(_file(asp / CROSSWALK), _name(directory, asp / CROSSWALK)),
        read_hcpcs(hcpcs_file, hcpcs_period, _name(directory, hcpcs_file)),
        read_noc(_file(hcpcs / NOC), hcpcs_period, _name(directory, hcpcs / NOC)),
    )


def _newest(directory: Path, prefix: str) -> tuple[Path, tuple[int, int]]:
    pattern = re.compile(rf"{prefix}-(\d{{4}})-(\d{{2}})")
    found = {
        (int(match[1]), int(match[2])): path
        for path in (directory.iterdir() if directory.is_dir() else ())
        if path.is_dir() and (match := pattern.fullmatch(path.name))
    }
    if not found:
        raise CmsFileError(str(directory), f"no {prefix}-YYYY-MM folder")
    newest = max(found)
    return found[newest], newest


def _hcpcs_file(folder: Path) -> Path:
    candidates = sorted(
        path
        for path in folder.iterdir()
        if any(fnmatch(path.name.casefold(), pattern) for pattern in HCPCS_FILES)
    )
    if len(candidates) != 1:
        found = ", ".join(path.name for path in candidates) or "none"
        problem = (
            f"needs exactly one HCPCS Level II file ({' or '.join(HCPCS_FILES)}); found {found}"
        )
        raise CmsFileError(folder.name, problem)
    return candidates[0]


def _file(path: Path) -> Path:
    if not path.is_file():
        raise CmsFileError(f"{path.parent.name}/{path.name}", "not found")
    return path


def _name(directory: Path, path: Path) -> str:
    return path.relative_to(directory).as_posix()
