"""NDC shapes (RULES.md, "NDC"): what an NDC as written normalizes to, if anything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

# ASCII digits only: \d would take full-width and other Unicode digits, which no payer reads.
_ELEVEN = re.compile(r"^\d{11}$", re.ASCII)
_HYPHENATED = re.compile(r"^\d+(?:-\d+)+$", re.ASCII)

NdcShape = Literal["standard", "convertible", "invalid"]


@dataclass(frozen=True, slots=True)
class ParsedNdc:
    shape: NdcShape
    digits: str | None  # the 11 digits, when the NDC is standard or convertible

    @property
    def standard_form(self) -> str | None:
        if self.digits is None:
            return None
        return f"{self.digits[:5]}-{self.digits[5:9]}-{self.digits[9:]}"

    @property
    def product(self) -> str | None:
        """Labeler and product: the first 9 digits, shared by every package."""
        return None if self.digits is None else self.digits[:9]


@lru_cache(maxsize=4096)  # a practice bills the same few packages all day
def parse_ndc(written: str) -> ParsedNdc:
    """Standard (11 digits, bare or 5-4-2), convertible (RULES.md: 4-4-2, 5-3-2, 5-4-1, or
    11 digits with hyphens elsewhere, or any of these with surrounding spaces), or invalid
    (anything else, 10 bare digits and inner spaces included: without hyphens nobody can
    tell where the zero goes)."""
    text = written.strip()
    parsed = _parse(text)
    if text != written and parsed.shape == "standard":
        return ParsedNdc("convertible", parsed.digits)  # the spaces go (NDC.FORMAT)
    return parsed


def _parse(text: str) -> ParsedNdc:
    if _ELEVEN.match(text):
        return ParsedNdc("standard", text)
    if not _HYPHENATED.match(text):
        return ParsedNdc("invalid", None)
    parts = text.split("-")
    digits = "".join(parts)
    widths = tuple(len(part) for part in parts)
    if len(digits) == 11:
        return ParsedNdc("standard" if widths == (5, 4, 2) else "convertible", digits)
    if len(parts) != 3:
        return ParsedNdc("invalid", None)
    labeler, product, package = parts
    padded: dict[tuple[int, ...], str] = {
        (4, 4, 2): "0" + labeler + product + package,
        (5, 3, 2): labeler + "0" + product + package,
        (5, 4, 1): labeler + product + "0" + package,
    }
    converted = padded.get(widths)
    return ParsedNdc("convertible", converted) if converted else ParsedNdc("invalid", None)
