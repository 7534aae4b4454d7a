"""Bytes to a validated claim, or the reasons it is not one.

This is the only door into the scrubbers: a message that is not UTF-8 JSON, is too large or
too deeply nested, or breaks a rule of ``claim.submitted/v1`` comes back as a ``Rejected``
instead: the dead-letter reason, the errors, and the claim id when the message has one to
read. Error texts never echo input values (the input may carry PHI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from claimscrub.contracts.invalid import ContractError, DeadLetterReason
from claimscrub.contracts.limits import Limits
from claimscrub.contracts.submitted import ClaimSubmitted

MAX_NESTING = 32

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


@dataclass(frozen=True, slots=True)
class Submission:
    """A claim as submitted: the JSON document (kept verbatim for ``corrected_claim``) and
    its validated model (for reading)."""

    document: dict[str, Any]
    claim: ClaimSubmitted


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a message is not a claim: what a dead letter carries besides the bytes."""

    reason: DeadLetterReason
    errors: list[ContractError]
    claim_id: str | None = None


def decode_claim(
    raw: bytes, *, max_bytes: int = Limits().message_bytes
) -> Submission | Rejected:
    """``raw`` as a validated claim, or why it is not one."""
    if len(raw) > max_bytes:
        message = f"message is {len(raw)} bytes; the limit is {max_bytes}"
        return Rejected(DeadLetterReason.TOO_LARGE, [_whole(message)])
    depth = _nesting_depth(raw)
    if depth > MAX_NESTING:
        message = f"JSON is nested {depth} levels deep; the limit is {MAX_NESTING}"
        return Rejected(DeadLetterReason.TOO_DEEP, [_whole(message)])
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        message = f"not UTF-8 JSON: {_not_utf8(raw) or _position_only(error)}"
        return Rejected(DeadLetterReason.NOT_JSON, [_whole(message)])
    return _validated(document, raw)


def validate_claim(document: Any) -> Submission | Rejected:
    """The same check for a document already parsed (a corrected claim, a test's dict)."""
    return _validated(document, orjson.dumps(document))


def _validated(document: Any, text: bytes) -> Submission | Rejected:
    # Validated from JSON text, not the parsed dict: strict JSON mode reads dates from
    # strings natively and refuses the coercions a JSON producer must not rely on.
    if not isinstance(document, dict):
        message = f"expected a JSON object, got {type(document).__name__}"
        return Rejected(DeadLetterReason.CONTRACT, [_whole(message)])
    try:
        claim = ClaimSubmitted.model_validate_json(text)
    except ValidationError as error:
        claim_id = document.get("claim_id")
        return Rejected(
            DeadLetterReason.CONTRACT,
            contract_errors(error),
            claim_id if isinstance(claim_id, str) else None,
        )
    return Submission(document=document, claim=claim)


def contract_errors(error: ValidationError) -> list[ContractError]:
    return [
        ContractError(path=".".join(str(part) for part in detail["loc"]), message=detail["msg"])
        for detail in error.errors(include_url=False, include_input=False, include_context=False)
    ]


def _whole(message: str) -> ContractError:
    return ContractError(path="", message=message)


def _not_utf8(raw: bytes) -> str | None:
    """Where the bytes stop being UTF-8 (orjson reports such a message at line 1 column 1,
    whatever the position); the byte's value is safe to name, the text around it is not."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        byte = raw[error.start]
        return (
            f"byte 0x{byte:02X} at line {line} column {column} is not UTF-8 (a Latin-1 or "
            "Windows-1252 export? the message must be encoded as UTF-8)"
        )
    return None


def _position_only(error: orjson.JSONDecodeError) -> str:
    # orjson's message quotes the offending document text; keep only where it broke.
    return f"{error.msg} at line {error.lineno} column {error.colno}"


def _nesting_depth(raw: bytes) -> int:
    """Bracket depth outside strings, found before parsing so a hostile document cannot make
    the parser recurse deeply. Regexes keep the scan in C: strings out, then brackets only."""
    if raw.count(b"{") + raw.count(b"[") <= MAX_NESTING:
        return 0  # too few brackets to nest too deep: the common case, found in C
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", raw)):
        if bracket in (b"{", b"["):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
