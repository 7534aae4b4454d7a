"""Wire-level value types shared by the event models.

The contract is JSON, and the models validate JSON text in strict mode: no ``"1"`` for
``1``, no number for a date, and dates and timestamps only in their ISO/RFC 3339 shapes.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field


@lru_cache(maxsize=4096)  # a provider's NPI recurs on every claim it sends
def npi_check_digit_ok(npi: str) -> bool:
    """Luhn over ``80840`` + the first nine digits, as the NPI standard defines it."""
    digits = [int(ch) for ch in "80840" + npi[:9]]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return (10 - total % 10) % 10 == int(npi[9])


def _npi(value: str) -> str:
    if not npi_check_digit_ok(value):
        raise ValueError("NPI check digit is wrong (Luhn with prefix 80840)")
    return value


# Strict JSON validation parses these from strings natively: YYYY-MM-DD only for a date, and
# an offset is required for a timestamp (RFC 3339); numbers are refused for both.
IsoDate = date
Timestamp = AwareDatetime
Npi = Annotated[str, Field(pattern=r"^\d{10}$"), AfterValidator(_npi)]
NonEmptyStr = Annotated[str, Field(min_length=1)]
Hcpcs = Annotated[str, Field(pattern=r"^(?:[A-Z]\d{4}|\d{5}|\d{4}[FT])$")]
Charge = Annotated[str, Field(pattern=r"^\d+\.\d{2}$")]
PositiveNumber = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
