"""Claim files for ``claimscrub scrub`` and ``publish``: one message's bytes per claim.

A ``.json`` file holds one claim object or a list of them, a ``.jsonl`` file one claim per
line, and stdin (``-``) either: a document that parses as a whole is JSON, anything else is
read as JSON lines. Records are returned as bytes, not parsed claims, so a line that is not
JSON still reaches the contract and comes back as a ``claim.invalid/v1``, as it would on
the topic.
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

import orjson

# Shipped inside the package, so the demo and the bench work from an installed wheel.
EXAMPLES = Path(str(files("claimscrub.workers.commands") / "examples"))


class InputError(Exception):
    """The input could not be read at all (missing, unreadable): a usage error, exit 2."""


def read_records(path: str) -> list[bytes]:
    """The claims in ``path`` (or stdin for ``-``) as one bytes value per claim."""
    data = _read_bytes(path)
    if path != "-" and Path(path).suffix == ".jsonl":
        return _lines(data)
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        # A .json file that is not JSON is one broken claim; stdin may be JSON lines.
        return [data] if path != "-" else _lines(data)
    if isinstance(document, list):
        return [orjson.dumps(item) for item in document]
    return [data]


def example_paths() -> list[Path]:
    """The example claims (``workers/commands/examples/*.json``), in name order."""
    return sorted(EXAMPLES.glob("*.json"))


def claim_key(raw: bytes) -> bytes | None:
    """The ``claim_id`` of a record, for the Kafka key; None when it has none to read."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    claim_id = document.get("claim_id") if isinstance(document, dict) else None
    return claim_id.encode() if isinstance(claim_id, str) and claim_id else None


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a .json or .jsonl file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None


def _lines(data: bytes) -> list[bytes]:
    return [line for line in (raw.strip() for raw in data.splitlines()) if line]
