"""The delivery properties every reliability test asserts on the result topics.

- Nothing lost: every input has a result; nothing invented: every result is for an input.
- Each result is the input's expected outcome, on that outcome's topic.
- Duplicates are the same result: equal documents apart from ``scrubbed_at`` /
  ``received_at`` (the result's own ``event_id`` included, CONTRACT.md).
- Order: the results of one claim's revisions are in revision order on one partition,
  both by first and by last appearance (a redone batch replays a suffix, in order).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from claimscrub.workers.settings import Settings
from tests.integration.kafka_io import InputName, Result, ResultReader, Sent, result_of
from tests.integration.reliability.claims import PHI_MARKERS, Input
from tests.integration.reliability.report import report
from tests.integration.reliability.worker import WorkerProcess

TIMESTAMPS = ("scrubbed_at", "received_at")


@dataclass(frozen=True)
class Delivery:
    inputs: int
    results: int

    @property
    def duplicates(self) -> int:
        return self.results - self.inputs


def check_delivery(
    settings: Settings, sent: Sequence[Sent[Input]], results: Sequence[Result]
) -> Delivery:
    by_input: dict[InputName, list[Result]] = defaultdict(list)
    for result in results:
        by_input[result_of(result)].append(result)
    expected = {input_of(item): item for item in sent}

    lost = [key for key in expected if key not in by_input]
    assert not lost, f"{len(lost)} inputs have no result, e.g. {lost[:3]}"
    strays = [key for key in by_input if key not in expected]
    assert not strays, f"{len(strays)} results for no input, e.g. {strays[:3]}"

    topics = {**settings.topics().outcomes, "invalid": settings.topics().invalid}
    for key, copies in by_input.items():
        item = expected[key].message
        outcome = copies[0].document.get("outcome", "invalid")
        assert outcome == item.expected, f"{key}: {outcome}, expected {item.expected}"
        assert {copy.topic for copy in copies} == {topics[outcome]}, key
        stripped = [_without_timestamps(copy.document) for copy in copies]
        assert all(document == stripped[0] for document in stripped), f"{key}: copies differ"
        if outcome != "invalid":
            assert {copy.key for copy in copies} == {item.key}, key
    _check_revision_order(results)
    return Delivery(inputs=len(by_input), results=len(results))


def input_of(sent: Sent[Input]) -> InputName:
    """The name the input's one expected result gives it (``kafka_io.result_of``)."""
    if sent.message.expected != "invalid":
        assert sent.message.event_id is not None
        return ("event", sent.message.event_id)
    return ("position", (sent.partition, sent.offset))


def _without_timestamps(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in TIMESTAMPS}


def _check_revision_order(results: Sequence[Result]) -> None:
    by_claim: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        if result.document["schema"] == "claim.scrubbed/v1":
            by_claim[result.document["claim_id"]].append(result)
    for claim_id, copies in by_claim.items():
        assert len({(c.topic, c.partition) for c in copies}) == 1, f"{claim_id}: partitions"
        revisions = [c.document["revision"] for c in sorted(copies, key=lambda c: c.offset)]
        first = list(dict.fromkeys(revisions))
        last = list(dict.fromkeys(reversed(revisions)))[::-1]
        assert first == sorted(first), f"{claim_id}: first appearances {revisions}"
        assert last == sorted(last), f"{claim_id}: last appearances {revisions}"


def assert_no_phi(logs: str, markers: Sequence[str]) -> None:
    found = [marker for marker in markers if marker in logs]
    assert not found, f"PHI in the logs: {found}"


def verify_run(
    request: pytest.FixtureRequest,
    reader: ResultReader,
    worker: WorkerProcess,
    sent: Sequence[Sent[Input]],
    started: float,
    **numbers: object,
) -> Delivery:
    """How every worker-process run ends: each input has its result and duplicates are
    identical (``check_delivery``), the counts and the seconds since ``started`` (a
    ``time.monotonic()``) go to the CI output, and no log line carries patient data."""
    delivery = check_delivery(reader.settings, sent, reader.results)
    report(
        request,
        inputs=delivery.inputs,
        results=delivery.results,
        duplicates=delivery.duplicates,
        **numbers,
        seconds=round(time.monotonic() - started, 1),
    )
    assert_no_phi(worker.logs(), PHI_MARKERS)
    return delivery
