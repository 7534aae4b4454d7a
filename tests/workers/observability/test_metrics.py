"""``workers.metrics``: what each result adds to the registry, and the dead-letter reason the
contract and the pipeline give each kind of refused message (in the event and the metric)."""

from __future__ import annotations

import orjson
import pytest
from prometheus_client import generate_latest

from claimscrub.contracts import Limits
from claimscrub.workers.observability.metrics import INVALID_REASONS, Metrics
from claimscrub.workers.observability.observe import rule_severities
from claimscrub.workers.runtime.pipeline import Routed, ScrubEngine, route
from tests.claims import NOW
from tests.golden import golden_cases
from tests.workers.routing import ENGINE, SOURCE, TOPICS, Exploding

GOLDEN = {case["name"]: case for case in golden_cases()}


def _route(raw: bytes, engine: ScrubEngine = ENGINE) -> Routed:
    return route(raw, SOURCE, engine, NOW, topics=TOPICS)


def _value(metrics: Metrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not_json"),
        (b"", "not_json"),
        (b"[1, 2]", "contract"),
        (b"[" * 40 + b"]" * 40, "too_deep"),
        (b" " * 1_000_001, "too_large"),
        (orjson.dumps(GOLDEN["invalid-zero-units"]["claim"]), "contract"),
    ],
)
def test_each_contract_error_has_its_reason(raw: bytes, reason: str) -> None:
    routed = _route(raw)
    assert routed.reason == reason
    assert orjson.loads(routed.value)["reason"] == reason


def test_a_result_too_large_to_publish_has_its_reason() -> None:
    raw = orjson.dumps(GOLDEN["nat-medicare-jz-missing"]["claim"])
    routed = route(raw, SOURCE, ENGINE, NOW, topics=TOPICS, limits=Limits(result_bytes=500))
    assert routed.outcome == "invalid"
    assert routed.reason == "result_too_large"
    assert orjson.loads(routed.value)["reason"] == "result_too_large"


def test_an_engine_failure_has_its_reason() -> None:
    routed = _route(orjson.dumps(GOLDEN["nat-medicare-clean"]["claim"]), Exploding())
    assert routed.outcome == "invalid"
    assert routed.reason == "engine_error"
    assert orjson.loads(routed.value)["reason"] == "engine_error"


def test_every_series_exists_at_zero_before_the_first_claim() -> None:
    metrics = Metrics(rule_severities(), topics=["p", "i"])
    text = generate_latest(metrics.registry).decode()
    for outcome in ("pass", "fix_suggested", "hold", "invalid"):
        assert f'claimscrub_claims_total{{outcome="{outcome}"}} 0.0' in text
    for reason in INVALID_REASONS:
        assert f'claimscrub_invalid_messages_total{{reason="{reason}"}} 0.0' in text
    assert 'claimscrub_findings_total{rule="MOD.JZ_MISSING",severity="fix"} 0.0' in text
    for topic in ("p", "i"):
        assert f'claimscrub_published_messages_total{{topic="{topic}"}} 0.0' in text


def test_published_results_are_counted_by_topic() -> None:
    metrics = Metrics(rule_severities(), topics=["p", "i"])

    metrics.published(["p", "i", "p", "elsewhere"])
    metrics.published(["p"])

    counts = {t: _value(metrics, "claimscrub_published_messages_total", topic=t) for t in "pi"}
    assert counts == {"p": 3, "i": 1}
    assert _value(metrics, "claimscrub_published_messages_total", topic="elsewhere") == 1


def test_a_result_counts_its_outcome_findings_and_time() -> None:
    metrics = Metrics(rule_severities())
    case = GOLDEN["nat-medicare-jz-missing"]
    routed = _route(orjson.dumps(case["claim"]))

    metrics.observe(routed, 0.002)

    outcome = case["expect"]["outcome"]
    assert _value(metrics, "claimscrub_claims_total", outcome=outcome) == 1
    for finding in orjson.loads(routed.value)["findings"]:
        labels = {"rule": finding["rule"], "severity": finding["severity"]}
        assert _value(metrics, "claimscrub_findings_total", **labels) >= 1
    assert _value(metrics, "claimscrub_scrub_duration_seconds_count", outcome=outcome) == 1
    assert _value(metrics, "claimscrub_scrub_duration_seconds_sum", outcome=outcome) == 0.002


def test_a_rule_of_two_severities_is_counted_by_the_one_it_reported() -> None:
    """CODE.DRUG_MISMATCH is a fix or a hold: the severity comes from the result."""
    metrics = Metrics(rule_severities())
    mismatches = [
        (routed, finding["severity"])
        for case in GOLDEN.values()
        if case["expect"]["outcome"] != "invalid"
        for routed in [_route(orjson.dumps(case["claim"]))]
        for finding in orjson.loads(routed.value)["findings"]
        if finding["rule"] == "CODE.DRUG_MISMATCH"
    ]
    assert mismatches, "the golden cases report CODE.DRUG_MISMATCH"
    for routed, _ in mismatches:
        metrics.observe(routed, 0.001)
    for severity in {severity for _, severity in mismatches}:
        expected = sum(1 for _, s in mismatches if s == severity)
        labels = {"rule": "CODE.DRUG_MISMATCH", "severity": severity}
        assert _value(metrics, "claimscrub_findings_total", **labels) == expected


def test_a_dead_letter_counts_its_reason() -> None:
    metrics = Metrics(rule_severities())
    routed = _route(b"{not json")

    metrics.observe(routed, 0.0001)

    assert _value(metrics, "claimscrub_claims_total", outcome="invalid") == 1
    assert _value(metrics, "claimscrub_invalid_messages_total", reason="not_json") == 1
