"""Claim files for ``claimscrub scrub`` and ``publish``: one message's bytes per claim.

A ``.jsonl`` file holds one claim per line. A ``.json`` file and stdin (``-``) hold JSON
documents back to back, read with a streaming decoder (``json.JSONDecoder.raw_decode``):
one claim object, a list of claims, several pretty-printed objects in a row (``cat
*.json``) or JSON lines, each list's items one claim each. Records are returned as bytes,
not parsed claims, so something that is not JSON still reaches the contract and comes back
as one ``claim.invalid/v1``, as it would on the topic: the decoder resumes at the next line
that starts a document (``{`` or ``[`` in its first column, as every object of a
pretty-printed stream or a JSON lines file does), and what it skipped is one record.
Input that is not UTF-8 is one record for a file and a record per line for stdin.
"""

from __future__ import annotations

import json
import re
import sys
from importlib.resources import files
from pathlib import Path

import orjson

# Shipped inside the package, so the demo and the bench work from an installed wheel.
EXAMPLES = Path(str(files("claimscrub.workers.commands") / "examples"))


class InputError(Exception):
    """The input could not be read at all (missing, unreadable): a usage error, exit 2."""


_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's own
_NEXT_DOCUMENT = re.compile(r"(?<=\n)[\[{]")


def read_records(path: str) -> list[bytes]:
    """The claims in ``path`` (or stdin for ``-``) as one bytes value per claim."""
    data = _read_bytes(path)
    if path != "-" and Path(path).suffix == ".jsonl":
        return _lines(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [data] if path != "-" else _lines(data)
    return _documents(text, data)


def _documents(text: str, data: bytes) -> list[bytes]:
    """Every JSON document in ``text`` in order; a list's items one record each."""
    records: list[bytes] = []
    documents = 0
    position = _skip(text, 0)
    while position < len(text):
        documents += 1
        try:
            value, end = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError:
            resume = _NEXT_DOCUMENT.search(text, position + 1)
            end = resume.start() if resume else len(text)
            records.append(text[position:end].rstrip().encode())
        else:
            if isinstance(value, list):
                records.extend(_compact(item) for item in value)
            else:
                records.append(text[position:end].encode())
        position = _skip(text, end)
    if documents == 1 and len(records) == 1 and not text.lstrip().startswith("["):
        return [data]  # one claim: its bytes exactly as given, as on the topic
    return records


def _skip(text: str, position: int) -> int:
    """The first position from ``position`` on that is not JSON whitespace."""
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


def _compact(item: object) -> bytes:
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()


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
