"""Wire-level value types shared by the event models.

The contract is JSON, and the models validate JSON text in strict mode: no ``"1"`` for
``1``, no number for a date, and dates and timestamps only in their ISO/RFC 3339 shapes.
Each type carries its JSON Schema too (``docs/schemas``), so the published schema states the
same rules: a pattern wherever the model checks a shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    Strict,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

# RFC 3339 ``date-time``: full date, ``T``, time with seconds and an optional fraction, and
# ``Z`` or a ``±HH:MM`` offset (RFC 3339's grammar is case-insensitive: ``t`` and ``z`` too).
# Pydantic's own parser is laxer: it takes ``-0500``, a time without seconds, a space for
# ``T``, a comma before the fraction and a bare Unix time, so the text is checked first.
# The patterns are ECMA-262 compatible, as JSON Schema requires.
RFC3339_DATE_TIME = (
    r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt]"
    r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
# RFC 3339 ``full-date``: ``YYYY-MM-DD`` (pydantic alone also takes a bare Unix time, "0").
ISO_DATE = r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"


class _Shape:
    """Checks a date or timestamp's text before pydantic parses it, and states the same pattern
    in the JSON Schema. Error texts never quote the value (it may be PHI).

    A before-validator hands pydantic a Python ``str``, which strict mode would refuse, so the
    parse after it runs in lax mode (``Strict(False)``); this check is what keeps it strict:
    text of the right shape, or an instance of the type itself (a model built in Python), and
    nothing else (no number read as a Unix time)."""

    __slots__ = ("accepts", "error", "error_type", "pattern", "regex")

    def __init__(
        self, pattern: str, accepts: Callable[[Any], bool], error_type: str, error: str
    ) -> None:
        self.pattern = pattern
        self.accepts = accepts
        self.error_type = error_type
        self.error = error
        self.regex = re.compile(pattern, re.ASCII)  # \d as in ECMA-262: ASCII digits only

    def check(self, value: Any) -> Any:
        if isinstance(value, str):
            if self.regex.fullmatch(value):
                return value
        elif self.accepts(value):
            return value
        raise PydanticCustomError(self.error_type, self.error)

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


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


_DATE_SHAPE = _Shape(
    ISO_DATE,
    lambda value: isinstance(value, date) and not isinstance(value, datetime),
    "date_format",
    "Input should be a date in the format YYYY-MM-DD",
)
_TIMESTAMP_SHAPE = _Shape(
    RFC3339_DATE_TIME,
    lambda value: isinstance(value, datetime),
    "rfc3339_timestamp",
    "Input should be an RFC 3339 timestamp: YYYY-MM-DDTHH:MM:SS, an optional fraction, "
    "and Z or a +HH:MM/-HH:MM offset",
)

# YYYY-MM-DD only for a date, and RFC 3339 with a required offset for a timestamp; numbers
# are refused for both. The shape is checked first, then pydantic parses the text.
IsoDate = Annotated[date, Strict(False), BeforeValidator(_DATE_SHAPE.check), _DATE_SHAPE]
Timestamp = Annotated[
    AwareDatetime, Strict(False), BeforeValidator(_TIMESTAMP_SHAPE.check), _TIMESTAMP_SHAPE
]
Npi = Annotated[str, Field(pattern=r"^\d{10}$"), AfterValidator(_npi)]
NonEmptyStr = Annotated[str, Field(min_length=1)]
Hcpcs = Annotated[str, Field(pattern=r"^(?:[A-Z]\d{4}|\d{5}|\d{4}[FT])$")]
Charge = Annotated[str, Field(pattern=r"^\d+\.\d{2}$")]
PositiveNumber = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
