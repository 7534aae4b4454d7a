"""Every golden case and every example through a real broker and the real worker: each
ends as exactly one result, on the topic of its expected outcome, keyed by claim id, and
the group's commits reach the end of the input.

Expected outcomes come from tests/golden/cases.jsonl, never from this file, so these
tests follow the rules as they are written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from claimscrub.workers.commands.claim_files import example_paths
from claimscrub.workers.settings import RoutedOutcome
from tests.conftest import SettingsFactory
from tests.golden import golden_cases
from tests.integration.kafka_io import Message, Run, Sent, scrub_through_kafka

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
GOLDEN: list[dict[str, Any]] = golden_cases()
EXPECTED = {case["name"]: case["expect"]["outcome"] for case in GOLDEN}
EXAMPLES = example_paths()


def _keyed(value: bytes) -> Message:
    return Message(value, key=json.loads(value)["claim_id"].encode())


@pytest.fixture(scope="module")
async def golden_run(make_settings: SettingsFactory) -> Run:
    return await scrub_through_kafka(
        make_settings(), [_keyed(orjson.dumps(case["claim"])) for case in GOLDEN]
    )


@pytest.fixture(scope="module")
async def examples_run(make_settings: SettingsFactory) -> Run:
    return await scrub_through_kafka(make_settings(), [_keyed(p.read_bytes()) for p in EXAMPLES])


def _assert_routed(run: Run, sent: Sent[Message], outcome: RoutedOutcome) -> None:
    results = run.results_for(sent)
    assert len(results) == 1, f"expected one result, got {len(results)}"
    (result,) = results
    claim_id = json.loads(sent.message.value or b"")["claim_id"]
    got = result.document.get("outcome", "invalid")
    assert (result.topic, got) == (run.topic_for(outcome), outcome), result.document.get(
        "findings", result.document.get("errors")
    )
    assert result.key == claim_id.encode()


@pytest.mark.parametrize("index", range(len(GOLDEN)), ids=[case["name"] for case in GOLDEN])
def test_golden_case_lands_on_its_outcome_topic(golden_run: Run, index: int) -> None:
    _assert_routed(golden_run, golden_run.sent[index], GOLDEN[index]["expect"]["outcome"])


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_lands_on_its_outcome_topic(examples_run: Run, path: Path) -> None:
    sent = examples_run.sent[EXAMPLES.index(path)]
    _assert_routed(examples_run, sent, EXPECTED[path.stem])


@pytest.mark.parametrize("run_name", ["golden_run", "examples_run"])
def test_exactly_one_result_per_event(run_name: str, request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(run_name)
    per_input = [len(run.results_for(sent)) for sent in run.sent]
    assert per_input == [1] * len(run.sent)
    assert len(run.results) == len(run.sent)


@pytest.mark.parametrize("run_name", ["golden_run", "examples_run"])
def test_committed_offsets_reach_the_end_of_the_input(
    run_name: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(run_name)
    assert sum(run.end.values()) == len(run.sent)
    assert run.committed == run.end


def test_invalid_golden_cases_keep_their_original_bytes(golden_run: Run) -> None:
    invalid = [i for i, case in enumerate(GOLDEN) if case["expect"]["outcome"] == "invalid"]
    assert invalid, "the golden file has invalid cases"
    for index in invalid:
        sent = golden_run.sent[index]
        (result,) = golden_run.results_for(sent)
        assert result.document["raw_encoding"] == "utf-8"
        assert result.document["raw"].encode() == sent.message.value
        assert result.document["errors"], "a dead letter says why"
