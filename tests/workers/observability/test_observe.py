"""``workers.observe``: the claim's context on every line logged while it is routed, and
nothing of it afterwards; what the worker says about the reference data it loaded."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from claimscrub.contracts import ClaimScrubbed
from claimscrub.scrubbers.cms.bundle import read_bundle, shipped_bundle
from claimscrub.workers.observability.logging import get_logger
from claimscrub.workers.observability.metrics import Metrics
from claimscrub.workers.observability.observe import (
    ClaimObserver,
    Observability,
    rule_severities,
)
from claimscrub.workers.observability.tracing import PassThroughTracer
from claimscrub.workers.runtime.pipeline import Routed
from tests.logs import CapturedLogs

log = get_logger("test")


def test_lines_logged_while_a_claim_is_routed_carry_its_context(
    captured_logs: CapturedLogs,
) -> None:
    observer = ClaimObserver(Metrics(rule_severities()), PassThroughTracer())
    record = ConsumerRecord("in", 2, 17, 0, 0, b"k", b"{}", None, 1, 2, [])

    def route(_: ConsumerRecord[bytes, bytes]) -> Routed:
        log.info("inside", offset="its own")
        event = ClaimScrubbed(
            event_id="e",
            source_event_id="s",
            claim_id="C",
            revision=1,
            outcome="pass",
            findings=[],
            ruleset="r",
            scrubbed_at=datetime.now(UTC),
        )
        return Routed(topic="out", key=None, value=b"{}", event=event, revision=1)

    observed = observer.route(record, route)
    log.info("after")

    inside, after = captured_logs.events()
    assert inside["trace_id"] == observed.trace.trace_id
    assert (inside["topic"], inside["partition"], inside["offset"]) == ("in", 2, "its own")
    assert not {"trace_id", "topic", "partition", "offset"} & after.keys()


def test_the_loaded_reference_data_is_logged_warned_about_and_measured(
    captured_logs: CapturedLogs,
) -> None:
    cms = read_bundle(shipped_bundle())
    observability = Observability(Metrics(rule_severities()))
    observability.reference_data("2026.11.1+x", cms)

    (loaded,) = captured_logs.events("reference_data")
    assert loaded["ruleset"] == "2026.11.1+x"
    assert loaded["periods"]["asp_pricing"] == "2025-10-01 to 2025-12-31"
    stale = {event["table"] for event in captured_logs.events("reference_data_stale")}
    assert stale == set(cms.stale(datetime.now(UTC).date()))
    registry = observability.metrics.registry
    for table, (_, end) in cms.periods.items():
        stamp = registry.get_sample_value(
            "claimscrub_reference_period_end_timestamp_seconds", {"table": table}
        )
        assert stamp is not None
        assert datetime.fromtimestamp(stamp, UTC).date() == end
