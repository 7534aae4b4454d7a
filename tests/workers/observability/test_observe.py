"""``workers.observe``: the claim's context on every line logged while it is routed, and
nothing of it afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from claimscrub.contracts import ClaimScrubbed
from claimscrub.workers.observability.logging import get_logger
from claimscrub.workers.observability.metrics import Metrics
from claimscrub.workers.observability.observe import ClaimObserver, rule_severities
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
