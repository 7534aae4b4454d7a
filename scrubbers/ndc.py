"""NDC shapes (RULES.md, "NDC"): what an NDC as written normalizes to, if anything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_ELEVEN = re.compile(r"^\d{11}$")
_HYPHENATED = re.compile(r"^(\d+)-(\d+)-(\d+)$")

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


def parse_ndc(written: str) -> ParsedNdc:
    text = written.strip()
    if _ELEVEN.match(text):
        return ParsedNdc("standard", text)
    match = _HYPHENATED.match(text)
    if not match:
        return ParsedNdc("invalid", None)
    labeler, product, package = match.groups()
    widths = (len(labeler), len(product), len(package))
    digits = labeler + product + package
    if widths == (5, 4, 2):
        return ParsedNdc("standard", digits)
    if len(digits) == 11:
        return ParsedNdc("convertible", digits)  # 11 digits, hyphens misplaced
    padded = {
        (4, 4, 2): "0" + labeler + product + package,
        (5, 3, 2): labeler + "0" + product + package,
        (5, 4, 1): labeler + product + "0" + package,
    }.get(widths)
    return ParsedNdc("convertible", padded) if padded else ParsedNdc("invalid", None)
