"""Wire-level value types shared by the event models.

The contract is JSON, so dates arrive as strings and numbers as JSON numbers. The models run
in strict mode (no ``"1"`` for ``1``), and these annotated types say exactly which string
shapes a date, a timestamp or an NPI may take.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            raise ValueError("must be an ISO date (YYYY-MM-DD)")
        return date.fromisoformat(value)
    return value


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str):
        if not _RFC3339.match(value):
            raise ValueError("must be an RFC 3339 timestamp with an offset")
        return datetime.fromisoformat(value.replace("z", "Z"))
    return value


@cache  # a provider's NPI recurs on every claim it sends
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


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Timestamp = Annotated[datetime, BeforeValidator(_rfc3339)]
Npi = Annotated[str, Field(pattern=r"^\d{10}$"), AfterValidator(_npi)]
NonEmptyStr = Annotated[str, Field(min_length=1)]
Hcpcs = Annotated[str, Field(pattern=r"^(?:[A-Z]\d{4}|\d{5}|\d{4}[FT])$")]
Charge = Annotated[str, Field(pattern=r"^\d{1,9}\.\d{2}$")]
PositiveNumber = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
