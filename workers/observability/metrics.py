"""Prometheus metrics: what the worker decided, per claim, on a registry of its own.

FastStream's ``KafkaPrometheusMiddleware`` (registered on the same registry by
``workers.observe``) measures the consuming side: ``faststream_received_messages_total``
counts records, but with a batch subscriber its ``faststream_received_processed_messages_*``
series are per batch (one duration and one ack status per batch of up to 500 records). It
does not see the results: the worker sends them on a producer of its own
(``workers.producer``), so ``claimscrub_published_messages_total`` here counts what the
broker acknowledged. These add what only the worker knows: outcomes, findings, the time
spent on one claim, why a message was dead-lettered, and what was published where.

Labels are bounded sets (outcome, rule id, severity, reason), never a claim id: a label per
claim would grow the registry without end. Children are created up front so every series
exists at 0 from the start and the hot path is a dictionary lookup and an increment.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import TypeVar

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)

from claimscrub.contracts import DeadLetterReason
from claimscrub.workers.runtime.pipeline import Routed
from claimscrub.workers.settings import RoutedOutcome

OUTCOMES: tuple[RoutedOutcome, ...] = ("pass", "fix_suggested", "hold", "invalid")
SEVERITIES = ("fix", "hold", "info")

# Dead-letter reasons come with the routed result (``Routed.reason``): the contract's enum.
INVALID_REASONS = tuple(reason.value for reason in DeadLetterReason)

# A series' label values, as a key of the children made for them.
Labels = TypeVar("Labels", bound=tuple[str, ...])

# Seconds; one claim takes about half a millisecond on the golden mix.
DURATION_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)


class Metrics:
    """The worker's own series. ``severities`` maps rule id to the one severity it always
    reports (from ``scrubbers/data/rules.toml``), so those series exist from the start;
    others (a ``fix/hold`` rule) appear when first reported. ``topics`` are the result
    topics, whose publish series exist from the start."""

    def __init__(
        self,
        severities: Mapping[str, str],
        registry: CollectorRegistry | None = None,
        topics: Iterable[str] = (),
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._fixed_severity = {rule: s for rule, s in severities.items() if s in SEVERITIES}
        claims = Counter(
            "claimscrub_claims",
            "Messages consumed, by the outcome published for them (invalid: dead-lettered).",
            ["outcome"],
            registry=self.registry,
        )
        self._claims = {outcome: claims.labels(outcome) for outcome in OUTCOMES}
        self._findings_family = Counter(
            "claimscrub_findings",
            "Findings reported in published results, by rule id and severity.",
            ["rule", "severity"],
            registry=self.registry,
        )
        self._findings = {
            (rule, severity): self._findings_family.labels(rule, severity)
            for rule, severity in self._fixed_severity.items()
        }
        self._duration = Histogram(
            "claimscrub_scrub_duration_seconds",
            "Time to decode, validate, scrub and serialize one message.",
            ["outcome"],
            registry=self.registry,
            buckets=DURATION_BUCKETS,
        )
        self._durations = {outcome: self._duration.labels(outcome) for outcome in OUTCOMES}
        invalid = Counter(
            "claimscrub_invalid_messages",
            "Messages dead-lettered to the invalid topic, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self._invalid = {reason: invalid.labels(reason) for reason in INVALID_REASONS}
        self._published_family = Counter(
            "claimscrub_published_messages",
            "Results the broker acknowledged, by topic; a batch redone after a failed "
            "publish counts again.",
            ["topic"],
            registry=self.registry,
        )
        self._published = {(topic,): self._published_family.labels(topic) for topic in topics}
        self._period_end = Gauge(
            "claimscrub_reference_period_end_timestamp_seconds",
            "End of each loaded CMS table's period (Unix time): the data's age is time() minus "
            "this; CMS publishes a new quarter before the period ends.",
            ["table"],
            registry=self.registry,
        )

    def reference_periods(self, periods: Mapping[str, tuple[date, date]]) -> None:
        """Each loaded CMS table's period end, as a Unix time (alert on its age)."""
        for table, (_, end) in periods.items():
            stamp = datetime.combine(end, time.max, UTC).timestamp()
            self._period_end.labels(table).set(stamp)

    def with_process_metrics(self) -> Metrics:
        """Add CPU, memory, open files and GC series (what ``prometheus_client`` serves by
        default) for the running worker; left out of tests, which build many registries."""
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        return self

    def observe(self, result: Routed, seconds: float) -> None:
        """Count one published result: its outcome, its findings, its time, and for a dead
        letter its reason."""
        self._claims[result.outcome].inc()
        self._durations[result.outcome].observe(seconds)
        if result.reason is not None:
            self._invalid[result.reason.value].inc()
        for key in result.findings:
            _child(self._findings, self._findings_family, key).inc()

    def published(self, topics: Iterable[str]) -> None:
        """Count acknowledged results, one topic name per result (a batch at a time, so
        each topic's series is incremented once per batch, not per result)."""
        for topic, count in Tally(topics).items():
            _child(self._published, self._published_family, (topic,)).inc(count)


def _child(children: dict[Labels, Counter], family: Counter, labels: Labels) -> Counter:
    """``family``'s series for ``labels``, from ``children`` (made up front for the known
    label values) or made now and kept there: a dictionary lookup instead of ``labels``,
    which validates and locks, on the hot path."""
    child = children.get(labels)
    if child is None:
        child = children[labels] = family.labels(*labels)
    return child
