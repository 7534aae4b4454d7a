"""What the catalog says about one drug code (RULES.md, "Words": catalog, drug code, unit
size): the reviewed pack where there is one, which wins, else the loaded CMS tables.

A **drug code** has a pack, is in the ASP pricing file, is a NOC drug code, or is a J-code
of the HCPCS Level II file. Its facts are worked out once, when the reference data loads,
so each line's look-up is one dictionary read.

Where RULES.md is silent:
- A catalogued code's descriptor is the HCPCS Level II long description, else the NOC
  list's, else the ASP file's short description; a pack's is its own.
- A code on the NOC list takes its add and termination dates from it; the fixed-width HCPCS
  file's dates, when one was loaded, apply to every other catalogued code. A pack's own
  dates win over both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from claimscrub.scrubbers.cms.catalog import CmsCatalog
from claimscrub.scrubbers.cms.dosage import UnitSize

if TYPE_CHECKING:  # reference.py builds these facts, so it cannot be imported back
    from claimscrub.scrubbers.reference import Drug, Pack, Vial


@dataclass(frozen=True, slots=True)
class CodeFacts:
    code: str
    descriptor: str
    unit: UnitSize | None  # the unit size; None: units cannot be checked
    pack: Pack | None
    noc: bool  # a NOC drug code: no dose in its descriptor
    effective: date | None
    end: date | None

    @property
    def drug(self) -> Drug | None:
        """The reviewed drug the code describes (packs only)."""
        return None if self.pack is None else self.pack.drug

    @property
    def vials(self) -> list[Vial]:
        return [] if self.pack is None else self.pack.drug.vials

    @property
    def max_units_per_day(self) -> int | None:
        return None if self.pack is None else self.pack.max_units_per_day

    @property
    def label(self) -> str:
        """``J2323 (natalizumab (Tysabri), per 1 mg)`` or ``J9035 (Injection, bevacizumab,
        10 mg)``: how messages name the code."""
        return self.pack.label if self.pack is not None else f"{self.code} ({self.descriptor})"

    @property
    def unit_text(self) -> str:
        """``10 mg``: one billing unit, as messages write it."""
        return "" if self.unit is None else f"{self.unit.amount:g} {self.unit.unit}"

    def effective_on(self, day: date) -> bool:
        return (self.effective is None or self.effective <= day) and (
            self.end is None or day <= self.end
        )


def drug_codes(
    packs: Mapping[str, Pack], noc_codes: list[str], cms: CmsCatalog
) -> dict[str, CodeFacts]:
    """Every drug code's facts, by code."""
    codes = {
        *packs,
        *cms.asp_codes,
        *noc_codes,
        *(code for code in cms.hcpcs_codes if code.startswith("J")),
    }
    return {code: _facts(code, packs.get(code), code in noc_codes, cms) for code in codes}


def _facts(code: str, pack: Pack | None, noc: bool, cms: CmsCatalog) -> CodeFacts:
    if pack is not None:
        unit = UnitSize(pack.unit.amount, pack.unit.unit)
        return CodeFacts(code, pack.descriptor, unit, pack, noc, pack.effective, pack.end)
    size = None if noc else cms.unit_size(code)
    added, ended = _dates(code, cms)
    return CodeFacts(code, cms.description(code) or code, size, None, noc, added, ended)


def _dates(code: str, cms: CmsCatalog) -> tuple[date | None, date | None]:
    entry = cms.noc(code)
    if entry is not None:
        return entry.added, entry.terminated
    dates = cms.code_dates(code)
    return (None, None) if dates is None else (dates.added, dates.terminated)
