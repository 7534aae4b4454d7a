"""The **unit size** of an ASP ``HCPCS Code Dosage`` (RULES.md, "Words").

After trimming spaces (non-breaking ones too) and a leading ``up to`` (any case): a
positive number (thousands separators and a missing leading zero allowed), an optional
space, one of MG, MCG, GM/G, ML/CC, IU/UNIT/UNITS (any case), optionally followed by a
parenthesis that is ignored. Anything else has none: ``1 SQ CM``, ``per dose``,
``1 USP UNIT``, ``1 MG/2.27 MG``, ``0.25 MG - 5 MG``, ``Greater than 100 MG``.

Where RULES.md is silent:
- The optional space is one whitespace character (a non-breaking one included); the
  ignored parenthesis must close at the end (``300 MCG (1500 IU)``); whatever else
  follows the unit means none.
- Thousands separators must group by three (``100,000``); ``1,00`` is not a number.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from claimscrub.contracts import DoseUnit

_DOSAGE = re.compile(
    r"""
    (?P<amount> (?:\d{1,3}(?:,\d{3})+ | \d+) (?:\.\d+)? | \.\d+ )
    \s?
    (?P<unit> mcg | mg | gm | g | ml | cc | iu | units? )
    (?: \s* \( .* \) )?
    """,
    re.IGNORECASE | re.VERBOSE,
)
# IU and UNITS are one measure (RULES.md), matched by the claim's dose_unit "IU".
_UNITS: dict[str, DoseUnit] = {
    "mg": "mg",
    "mcg": "mcg",
    "g": "g",
    "gm": "g",
    "ml": "mL",
    "cc": "mL",
    "iu": "IU",
    "unit": "IU",
    "units": "IU",
}
_UP_TO = "up to"


class UnitSize(NamedTuple):
    """One billing unit of a code: ``UnitSize(10.0, "mg")`` for ``10 MG``."""

    amount: float
    unit: DoseUnit


def parse_unit_size(dosage: str) -> UnitSize | None:
    """The unit size ``dosage`` states, or None when it states none."""
    text = dosage.strip()
    if text[: len(_UP_TO)].casefold() == _UP_TO:
        text = text[len(_UP_TO) :].strip()
    found = _DOSAGE.fullmatch(text)
    if found is None:
        return None
    amount = float(found["amount"].replace(",", ""))
    if amount <= 0:
        return None
    return UnitSize(amount, _UNITS[found["unit"].casefold()])
