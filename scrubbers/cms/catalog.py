"""``CmsCatalog``: the loaded CMS tables as the rules ask about them, each answer a dict
look-up (RULES.md, "Words": catalog; "Identifying the drug").

Where RULES.md is silent:
- ``ndc_codes`` takes an NDC whose digits, hyphens removed, are 11 (5-4-2 or bare, as
  ``ndc_format`` gives them); anything else is a caller's mistake and raises ValueError.
- ``ndc_known`` is true when the NDC has codes: listed itself, or a package of its product
  is (RULES.md: every package of a listed product counts).
- ``description`` is the HCPCS Level II long description, else the NOC list's, else the
  ASP file's short description.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from claimscrub.scrubbers.cms.dosage import UnitSize
from claimscrub.scrubbers.cms.hcpcs import CodeDates
from claimscrub.scrubbers.cms.noc import NocEntry

STALE_DAYS = 92  # a quarter: past it, a newer quarter's file has been published


@dataclass(frozen=True, slots=True)
class AspText:
    dosage: str
    description: str


@dataclass(frozen=True, slots=True)
class CmsCatalog:
    digest: str  # the bundle's: SHA-256 of its canonical JSON
    periods: Mapping[str, tuple[date, date]]  # table -> (start, end)
    unit_sizes: Mapping[str, UnitSize]
    asp_texts: Mapping[str, AspText]
    asp_codes: frozenset[str]  # every code the ASP pricing file lists
    ndc_index: Mapping[str, tuple[str, ...]]  # LLLLL-PPPP-KK -> codes
    product_index: Mapping[str, tuple[str, ...]]  # LLLLL-PPPP -> codes
    hcpcs_codes: Mapping[str, str]  # code -> long description
    modifiers: Mapping[str, str]  # modifier -> long description
    noc_entries: Mapping[str, NocEntry]
    dates: Mapping[str, CodeDates]  # from a fixed-width HCPCS file; empty without one

    def stale(self, today: date) -> dict[str, date]:
        """Tables whose period ended more than a quarter before ``today``, with that end:
        CMS publishes each quarter's files before it starts, so such a table has been
        replaced at least once."""
        periods = self.periods.items()
        return {table: end for table, (_, end) in periods if (today - end).days > STALE_DAYS}

    def unit_size(self, code: str) -> UnitSize | None:
        return self.unit_sizes.get(code)

    def asp_text(self, code: str) -> AspText | None:
        return self.asp_texts.get(code)

    def ndc_codes(self, ndc11: str) -> tuple[str, ...]:
        """The NDC's codes: those listed for it, or only when it is not listed, those of
        the other packages of its product; () when neither is."""
        key = _standard(ndc11)
        listed = self.ndc_index.get(key)
        return listed if listed is not None else self.product_index.get(key[:10], ())

    def ndc_known(self, ndc11: str) -> bool:
        return bool(self.ndc_codes(ndc11))

    def is_hcpcs_code(self, code: str) -> bool:
        return code in self.hcpcs_codes

    def is_modifier(self, modifier: str) -> bool:
        return modifier in self.modifiers

    def noc(self, code: str) -> NocEntry | None:
        return self.noc_entries.get(code)

    def code_dates(self, code: str) -> CodeDates | None:
        return self.dates.get(code)

    def description(self, code: str) -> str | None:
        for texts in (self.hcpcs_codes, self.modifiers):
            if code in texts:
                return texts[code]
        if code in self.noc_entries:
            return self.noc_entries[code].description
        asp = self.asp_texts.get(code)
        return None if asp is None else asp.description


def _standard(ndc11: str) -> str:
    digits = ndc11.replace("-", "")
    if len(digits) != 11 or not digits.isdigit():
        raise ValueError(f"{ndc11!r} is not an 11-digit NDC")
    return f"{digits[:5]}-{digits[5:9]}-{digits[9:]}"
