"""Streams of input messages for the reliability tests, built from the golden cases.

Each golden claim is cloned with a unique event id and claim id (so every input has
exactly one expected outcome, the golden case's), some claims get several revisions in a
row (their results must keep that order), and the golden invalid cases and a few non-JSON
values are mixed in (they must end on the dead-letter topic). Every clone's patient is
``PATIENT`` with a member id starting ``PHI-MEMBER-``: values no log line may contain
(no rule reads patient fields, so the golden outcomes still hold).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from tests.golden import golden_cases
from tests.integration.kafka_io import Message

GOLDEN: list[dict[str, Any]] = golden_cases()
_NAMESPACE = uuid.UUID("5b6f3c1e-7d1a-4e0f-9c3b-2a1d0e9f8c7b")
NOT_JSON = (b"{truncated", b"\xff\xfe\x00", b"", b"[1, 2, 3]", b'"a string"')
PATIENT = {"first_name": "Zebulon", "last_name": "Quaternion", "birth_date": "1931-02-27"}
MEMBER_ID_PREFIX = "PHI-MEMBER-"
PHI_MARKERS = (*PATIENT.values(), MEMBER_ID_PREFIX)


@dataclass(frozen=True, kw_only=True)
class Input(Message):
    """One message to publish, with what its result must be."""

    expected: str  # pass, fix_suggested, hold or invalid
    event_id: str | None = None  # None for a value that is not a claim
    claim_id: str | None = None
    revision: int | None = None


def claim_stream(run: str, count: int, revisions: int = 3, every: int = 10) -> list[Input]:
    """``count`` messages: golden clones, every ``every``-th position a claim with
    ``revisions`` revisions in a row, every 50th a value that is not JSON."""
    inputs: list[Input] = []
    index = 0
    while len(inputs) < count:
        if index % 50 == 49:
            value = NOT_JSON[index // 50 % len(NOT_JSON)]
            inputs.append(Input(value, f"{run}-raw-{index}".encode(), expected="invalid"))
        else:
            case = GOLDEN[index % len(GOLDEN)]
            times = revisions if index % every == 0 else 1
            inputs.extend(_clone(case, run, index, revision) for revision in range(1, times + 1))
        index += 1
    return inputs[:count]


def _clone(case: dict[str, Any], run: str, index: int, revision: int) -> Input:
    claim_id = f"{run}-{index:06d}"
    event_id = str(uuid.uuid5(_NAMESPACE, f"{claim_id}/{revision}"))
    patient = {
        **case["claim"]["patient"],
        **PATIENT,
        "member_id": f"{MEMBER_ID_PREFIX}{index:06d}",
    }
    claim = {
        **case["claim"],
        "event_id": event_id,
        "claim_id": claim_id,
        "revision": revision,
        "patient": patient,
    }
    return Input(
        orjson.dumps(claim),
        claim_id.encode(),
        expected=case["expect"]["outcome"],
        event_id=event_id,
        claim_id=claim_id,
        revision=revision,
    )
