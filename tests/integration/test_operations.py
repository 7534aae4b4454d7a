"""What operations sees of a real run: the worker and its HTTP endpoint against a real
broker, the golden claims sent through it, then /healthz, /readyz, /metrics, the log lines
and the trace context on the results.

One run (module fixture) serves every test: the worker is ``workers.server.build_server``,
the uvicorn server ``claimscrub run`` starts, in this test's event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from claimscrub.workers.runtime.server import build_server
from claimscrub.workers.settings import Settings
from tests.conftest import SettingsFactory
from tests.golden import golden_cases
from tests.integration.http import get, get_json, wait_for_status
from tests.integration.kafka_io import (
    INPUT_PARTITIONS,
    Message,
    Result,
    Sent,
    create_topics,
    publish,
    read_results,
)
from tests.logs import CapturedLogs, capture_logs
from tests.ports import free_port

pytestmark = pytest.mark.integration

GOLDEN: list[dict[str, Any]] = golden_cases()
OUTCOMES = ("pass", "fix_suggested", "hold", "invalid")


def _trace_id(index: int) -> str:
    return f"{index + 1:032x}"


def _messages() -> list[Message]:
    """Every golden claim keyed by claim id, each with a traceparent of its own."""
    return [
        Message(
            orjson.dumps(case["claim"]),
            key=case["claim"]["claim_id"].encode(),
            headers=[("traceparent", f"00-{_trace_id(i)}-00f067aa0ba902b7-01".encode())],
        )
        for i, case in enumerate(GOLDEN)
    ]


@dataclass
class OpsRun:
    settings: Settings
    sent: list[Sent[Message]]
    healthz: tuple[int, dict[str, Any]]
    readyz: tuple[int, dict[str, Any]]
    metrics: dict[tuple[str, frozenset[tuple[str, str]]], float]
    logs: CapturedLogs
    results: list[Result]

    def metric(self, name: str, **labels: str) -> float:
        return sum(
            value
            for (sample, sample_labels), value in self.metrics.items()
            if sample == name and set(labels.items()) <= sample_labels
        )


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture(scope="module")
async def ops_run(make_settings: SettingsFactory) -> OpsRun:
    port = free_port()
    settings = make_settings(CLAIMSCRUB_HTTP_HOST="127.0.0.1", CLAIMSCRUB_HTTP_PORT=port)
    base = f"http://127.0.0.1:{port}"
    logs = capture_logs()  # reset after the first test by tests/conftest.py
    await create_topics(settings)
    server = build_server(settings)
    serving = asyncio.create_task(server.serve())
    try:
        await wait_for_status(f"{base}/healthz", 200, timeout_s=30)
        await wait_for_status(f"{base}/readyz", 200, timeout_s=60)
        healthz, readyz = await get_json(f"{base}/healthz"), await get_json(f"{base}/readyz")
        sent = await publish(settings, _messages())
        metrics = await _metrics_once_counted(f"{base}/metrics", len(sent))
        results = await read_results(settings, len(sent))
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=60)
    return OpsRun(settings, sent, healthz, readyz, metrics, logs, results)


async def _metrics_once_counted(url: str, expected: int, timeout_s: float = 60.0) -> Any:
    """/metrics once ``claimscrub_claims_total`` adds up to ``expected``."""
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = await get(url)
        assert status == 200
        samples = _samples(body.decode())
        counted = sum(v for (name, _), v in samples.items() if name == "claimscrub_claims_total")
        if counted >= expected or time.monotonic() > deadline:
            return samples
        await asyncio.sleep(0.2)


def _expected(outcome: str) -> int:
    return sum(1 for case in GOLDEN if case["expect"]["outcome"] == outcome)


def test_liveness_and_readiness_once_partitions_are_assigned(ops_run: OpsRun) -> None:
    assert ops_run.healthz == (200, {"live": True, "stopped_consumers": []})
    status, body = ops_run.readyz
    assert status == 200
    assert body == {
        "ready": True,
        "assigned_partitions": INPUT_PARTITIONS,
        "broker_reachable": True,
    }


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_metrics_count_the_claims_of_each_outcome(ops_run: OpsRun, outcome: str) -> None:
    assert ops_run.metric("claimscrub_claims_total", outcome=outcome) == _expected(outcome)
    assert ops_run.metric("claimscrub_scrub_duration_seconds_count", outcome=outcome) == _expected(
        outcome
    )


def test_metrics_count_findings_by_rule_and_severity_and_dead_letters_by_reason(
    ops_run: OpsRun,
) -> None:
    findings = Counter(
        (finding["rule"], finding["severity"])
        for result in ops_run.results
        for finding in result.document.get("findings", [])
    )
    assert findings, "the golden claims have findings"
    for (rule, severity), count in findings.items():
        assert ops_run.metric("claimscrub_findings_total", rule=rule, severity=severity) == count
    assert ops_run.metric("claimscrub_findings_total") == sum(findings.values())
    assert ops_run.metric("claimscrub_invalid_messages_total") == _expected("invalid")
    assert ops_run.metric("claimscrub_invalid_messages_total", reason="contract") > 0


def test_metrics_count_the_records_received_and_the_results_published(ops_run: OpsRun) -> None:
    settings = ops_run.settings
    received = ops_run.metric(
        "faststream_received_messages_total", handler=settings.CLAIMSCRUB_TOPIC_SUBMITTED
    )
    assert received == len(GOLDEN)
    topics = {**settings.topics().outcomes, "invalid": settings.topics().invalid}
    for outcome in OUTCOMES:
        published = ops_run.metric("claimscrub_published_messages_total", topic=topics[outcome])
        assert published == _expected(outcome)


def _result_for(ops_run: OpsRun, source_event_id: str) -> dict[str, Any]:
    return next(
        result.document
        for result in ops_run.results
        if result.document.get("source_event_id") == source_event_id
    )


def test_one_claim_scrubbed_line_per_valid_claim_with_its_fields(ops_run: OpsRun) -> None:
    lines = ops_run.logs.events("claim_scrubbed")
    valid = [(i, c) for i, c in enumerate(GOLDEN) if c["expect"]["outcome"] != "invalid"]
    by_claim = Counter(line["claim_id"] for line in lines)
    assert by_claim == Counter(case["claim"]["claim_id"] for _, case in valid)
    position = {(s.partition, s.offset): i for i, s in enumerate(ops_run.sent)}
    for line in lines:
        index = position[line["partition"], line["offset"]]
        case = GOLDEN[index]
        assert line["claim_id"] == case["claim"]["claim_id"]
        assert line["revision"] == case["claim"]["revision"]
        assert line["outcome"] == case["expect"]["outcome"]
        published = _result_for(ops_run, case["claim"]["event_id"])
        assert line["rules"] == [finding["rule"] for finding in published["findings"]]
        assert set(case["expect"]["rules"]) <= set(line["rules"])
        assert isinstance(line["duration_ms"], float)
        assert line["duration_ms"] >= 0
        assert line["topic"] == ops_run.settings.CLAIMSCRUB_TOPIC_SUBMITTED
        assert line["trace_id"] == _trace_id(index)
        assert line["level"] == "info"


def test_one_claim_invalid_line_per_dead_letter_with_a_reason(ops_run: OpsRun) -> None:
    lines = ops_run.logs.events("claim_invalid")
    invalid = [i for i, case in enumerate(GOLDEN) if case["expect"]["outcome"] == "invalid"]
    position = {(s.partition, s.offset): i for i, s in enumerate(ops_run.sent)}
    assert sorted(position[line["partition"], line["offset"]] for line in lines) == invalid
    assert all(line["reason"] == "contract" and line["level"] == "warning" for line in lines)


def test_no_patient_data_in_any_log_line(ops_run: OpsRun) -> None:
    text = ops_run.logs.text
    for case in GOLDEN:
        patient = case["claim"].get("patient") or {}
        for field in ("member_id", "first_name", "last_name"):
            value = patient.get(field)
            if isinstance(value, str) and len(value) > 3:
                assert value not in text, field


def test_each_result_carries_its_claims_trace_context(ops_run: OpsRun) -> None:
    by_event = {case["claim"]["event_id"]: i for i, case in enumerate(GOLDEN)}
    scrubbed = [result for result in ops_run.results if "source_event_id" in result.document]
    assert scrubbed
    for result in scrubbed:
        index = by_event[result.document["source_event_id"]]
        headers = result.headers
        assert headers["traceparent"] == f"00-{_trace_id(index)}-00f067aa0ba902b7-01"
        assert headers["content-type"] == "application/json"
