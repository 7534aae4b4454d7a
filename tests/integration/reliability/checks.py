"""The delivery properties every reliability test asserts on the result topics.

- Nothing lost: every input has a result; nothing invented: every result is for an input.
- Each result is the input's expected outcome, on that outcome's topic.
- Duplicates are the same result: equal documents apart from ``scrubbed_at`` /
  ``received_at`` (the result's own ``event_id`` included, CONTRACT.md).
- Order: the results of one claim's revisions are in revision order on one partition,
  both by first and by last appearance (a redone batch replays a suffix, in order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from claimscrub.workers.settings import Settings
from tests.integration.reliability.claims import PHI_MARKERS
from tests.integration.reliability.kafka import Result, Sent, input_of, result_of
from tests.integration.reliability.report import report

TIMESTAMPS = ("scrubbed_at", "received_at")


@dataclass(frozen=True)
class Delivery:
    inputs: int
    results: int

    @property
    def duplicates(self) -> int:
        return self.results - self.inputs


def check_delivery(settings: Settings, sent: Sequence[Sent], results: Sequence[Result]) -> Delivery:
    by_input: dict[tuple[str, Any], list[Result]] = defaultdict(list)
    for result in results:
        by_input[result_of(result)].append(result)
    expected = {input_of(item): item for item in sent}

    lost = [key for key in expected if key not in by_input]
    assert not lost, f"{len(lost)} inputs have no result, e.g. {lost[:3]}"
    strays = [key for key in by_input if key not in expected]
    assert not strays, f"{len(strays)} results for no input, e.g. {strays[:3]}"

    topics = {**settings.outcome_topics(), "invalid": settings.CLAIMSCRUB_TOPIC_INVALID}
    for key, copies in by_input.items():
        item = expected[key]
        outcome = copies[0].document.get("outcome", "invalid")
        assert outcome == item.input.expected, f"{key}: {outcome}, expected {item.input.expected}"
        assert {copy.topic for copy in copies} == {topics[outcome]}, key
        stripped = [_without_timestamps(copy.document) for copy in copies]
        assert all(document == stripped[0] for document in stripped), f"{key}: copies differ"
        if outcome != "invalid":
            assert {copy.key for copy in copies} == {item.input.key}, key
    _check_revision_order(results)
    return Delivery(inputs=len(by_input), results=len(results))


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
    settings: Settings,
    sent: Sequence[Sent],
    results: Sequence[Result],
    logs: str,
    **numbers: object,
) -> Delivery:
    """How every worker-process run ends: each input has its result and duplicates are
    identical (``check_delivery``), the counts go to the CI output, and no log line carries
    patient data."""
    delivery = check_delivery(settings, sent, results)
    report(
        request,
        inputs=delivery.inputs,
        results=delivery.results,
        duplicates=delivery.duplicates,
        **numbers,
    )
    assert_no_phi(logs, PHI_MARKERS)
    return delivery
