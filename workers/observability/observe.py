"""What the worker tells the people who run it about each claim: a log line, metrics, a trace.

``BatchHandler`` (workers/runtime/app.py) calls ``ClaimObserver.route`` around the pipeline for each
record (timing, trace context, and the claim's log context bound while it runs),
``publishing`` around the send of its result, ``published`` with the batch's delivery
outcomes, and ``done`` for each record once the batch is acknowledged: a batch processed
again after a failed publish is logged and counted once, when it is through, not once per
attempt (only ``claimscrub_published_messages_total`` counts every acknowledged send).

Every valid claim gets exactly one ``claim_scrubbed`` line; a message that ends on the
dead-letter topic gets one ``claim_invalid`` line with a reason instead. Neither carries
anything from the claim but its id, revision and rule ids (no PHI), nor the Kafka key of a
dead letter (a producer that broke the contract may have keyed it by anything).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeAlias

from aiokafka import ConsumerRecord
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from claimscrub.scrubbers.cms.catalog import CmsCatalog
from claimscrub.workers.observability.logging import CLAIM_CONTEXT, get_logger
from claimscrub.workers.observability.metrics import Metrics
from claimscrub.workers.observability.tracing import (
    ClaimTrace,
    ClaimTracer,
    OtelTracer,
    PassThroughTracer,
    otlp_tracer_provider,
)
from claimscrub.workers.runtime.pipeline import Routed
from claimscrub.workers.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = get_logger("workers.claims")

Record: TypeAlias = ConsumerRecord[bytes, bytes]


@dataclass(slots=True)
class Observed:
    """One record, its routed result, and what was observed while routing it."""

    record: Record
    result: Routed
    trace: ClaimTrace
    seconds: float

    @property
    def headers(self) -> dict[str, str]:
        """The result's Kafka headers: content type and trace context."""
        return self.trace.headers


class ClaimObserver:
    """Per-claim hooks of the batch handler; cheap enough for every record."""

    def __init__(self, metrics: Metrics, tracer: ClaimTracer) -> None:
        self.metrics = metrics
        self._tracer = tracer

    def route(self, record: Record, route: Callable[[Record], Routed]) -> Observed:
        """Run ``route(record)`` timed, under the record's trace and log context."""
        claim = self._tracer.start(record)
        bound = CLAIM_CONTEXT.set(
            {
                "trace_id": claim.trace_id,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
            }
        )
        try:
            started = perf_counter()
            result = route(record)
            seconds = perf_counter() - started
        finally:
            CLAIM_CONTEXT.reset(bound)
        return Observed(record, result, claim, seconds)

    def publishing(self, observed: Observed) -> AbstractContextManager[None]:
        """Wrap the send of ``observed``'s result; its headers are complete inside."""
        return self._tracer.publishing(observed.trace, observed.result)

    def published(self, observed: Sequence[Observed], outcomes: Sequence[object]) -> None:
        """Count the results whose delivery succeeded (``outcomes`` in the same order: a
        delivery's result, or the exception it failed with)."""
        self.metrics.published(
            item.result.topic
            for item, outcome in zip(observed, outcomes, strict=True)
            if not isinstance(outcome, BaseException)
        )

    def done(self, observed: Observed) -> None:
        """The record's result is acknowledged: count it and write its line."""
        result, record = observed.result, observed.record
        self.metrics.observe(result, observed.seconds)
        fields: dict[str, Any] = {
            "claim_id": result.logged_claim_id,
            "revision": result.revision,
            "outcome": result.outcome,
            "duration_ms": round(observed.seconds * 1000, 3),
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "result_topic": result.topic,
            "trace_id": observed.trace.trace_id,
        }
        if result.reason is None:
            log.info("claim_scrubbed", rules=[rule for rule, _ in result.findings], **fields)
        else:
            log.warning("claim_invalid", reason=result.reason.value, **fields)


@dataclass(frozen=True)
class Observability:
    """The worker's metrics registry and, when tracing is on, its tracer provider: shared by
    the broker's middlewares, the batch handler and the HTTP endpoint."""

    metrics: Metrics
    tracer_provider: TracerProvider | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Observability:
        metrics = Metrics(rule_severities(settings.cms_bundle()), topics=settings.topics().results)
        metrics = metrics.with_process_metrics()
        provider = otlp_tracer_provider() if settings.CLAIMSCRUB_TRACING else None
        return cls(metrics, provider)

    def reference_data(self, ruleset: str, cms: CmsCatalog) -> None:
        """Say what the engine loaded: one line with the ruleset and each table's period, a
        warning per table whose period ended more than a quarter ago, and each period's end
        as a metric (its age is ``time() - claimscrub_reference_period_end_timestamp_seconds``)."""
        periods = {table: f"{start} to {end}" for table, (start, end) in cms.periods.items()}
        log.info("reference_data", ruleset=ruleset, periods=periods)
        for table, end in cms.stale(datetime.now(UTC).date()).items():
            log.warning(
                "reference_data_stale",
                table=table,
                period_end=str(end),
                action="download the current quarter's CMS files and run claimscrub data import",
            )
        self.metrics.reference_periods(cms.periods)

    def middlewares(self) -> tuple[Any, ...]:
        """FastStream's broker middlewares: Prometheus always, OpenTelemetry when on. They
        see what the worker consumes; its results bypass them (``workers.runtime.producer``), so
        the publish metrics and spans are the observer's and the tracer's."""
        prometheus = KafkaPrometheusMiddleware(
            registry=self.metrics.registry, app_name="claimscrub"
        )
        if self.tracer_provider is None:
            return (prometheus,)
        from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware  # noqa: PLC0415

        return (KafkaTelemetryMiddleware(tracer_provider=self.tracer_provider), prometheus)

    def observer(self) -> ClaimObserver:
        provider = self.tracer_provider
        tracer = PassThroughTracer() if provider is None else OtelTracer(provider)
        return ClaimObserver(self.metrics, tracer)


def rule_severities(cms_bundle: Path | None = None) -> dict[str, str]:
    """Rule id to severity, from the catalog the engine reports from: the same engine (and
    the same CMS bundle) the worker builds, so its reference data is loaded once."""
    from claimscrub.scrubbers import default_engine  # noqa: PLC0415 (loads reference data once)

    return {info.id: info.severity for info in default_engine(cms_bundle).reference.catalog.rule}
