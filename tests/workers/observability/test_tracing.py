"""Trace context from a claim's message to its result, with tracing off (forwarded) and on
(OpenTelemetry spans, exported to memory), through FastStream's in-memory broker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiokafka import ConsumerRecord
from faststream.kafka import TestKafkaBroker
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from claimscrub.contracts import MessageSource
from claimscrub.scrubbers import default_engine
from claimscrub.workers.observability.metrics import Metrics
from claimscrub.workers.observability.observe import Observability, rule_severities
from claimscrub.workers.observability.tracing import (
    OtelTracer,
    PassThroughTracer,
    incoming_trace_id,
)
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.runtime.pipeline import Routed, route
from claimscrub.workers.settings import Settings
from tests.golden import golden_claims
from tests.in_memory import InMemorySender, ResultTopics
from tests.logs import capture_logs

GOLDEN = golden_claims()
SETTINGS = Settings(KAFKA_BOOTSTRAP_SERVERS="in-memory:9092")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN}-01"


def _record(headers: list[tuple[str, bytes]]) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 1, 0, 0, None, b"{}", None, 2, 0, headers)


@pytest.mark.parametrize(
    ("value", "trace_id"),
    [
        (TRACEPARENT, TRACE_ID),
        (f" {TRACEPARENT} ", TRACE_ID),
        (f"01-{TRACE_ID}-{PARENT_SPAN}-01-future", TRACE_ID),
        (f"ff-{TRACE_ID}-{PARENT_SPAN}-01", None),
        (f"00-{'0' * 32}-{PARENT_SPAN}-01", None),
        (f"00-{TRACE_ID.upper()}-{PARENT_SPAN}-01", None),
        ("garbage", None),
        ("", None),
        (None, None),
    ],
)
def test_incoming_trace_id_accepts_only_valid_w3c_traceparents(
    value: str | None, trace_id: str | None
) -> None:
    assert incoming_trace_id(value) == trace_id


def test_tracing_off_forwards_the_producers_trace_context() -> None:
    claim = PassThroughTracer().start(
        _record([("traceparent", TRACEPARENT.encode()), ("tracestate", b"vendor=1")])
    )
    assert claim.trace_id == TRACE_ID
    assert claim.headers == {
        "content-type": "application/json",
        "traceparent": TRACEPARENT,
        "tracestate": "vendor=1",
    }


def test_tracing_off_without_a_traceparent_starts_a_new_unsampled_trace() -> None:
    first, second = (PassThroughTracer().start(_record([])) for _ in range(2))
    assert first.trace_id != second.trace_id
    version, trace_id, span_id, flags = first.headers["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", first.trace_id, "00")
    assert incoming_trace_id(first.headers["traceparent"]) == first.trace_id
    assert len(span_id) == 16


async def _scrub_in_memory(
    observability: Observability, headers: dict[str, str]
) -> tuple[ResultTopics, list[dict[str, Any]]]:
    """One claim through the worker in FastStream's test broker; results and log lines.

    With tracing on, the test's publish goes through the broker's telemetry middleware
    too, which injects its own producer span: the current span here (the PM system's,
    ``TRACEPARENT``) is then that span's parent, so the trace id is the PM system's."""
    logs = capture_logs()
    broker = build_broker(SETTINGS, observability=observability, sender=InMemorySender)
    collected = ResultTopics(broker, SETTINGS)
    producer_span = trace.NonRecordingSpan(
        trace.SpanContext(
            int(TRACE_ID, 16),
            int(PARENT_SPAN, 16),
            is_remote=True,
            trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
        )
    )
    async with TestKafkaBroker(broker) as test_broker:
        with trace.use_span(producer_span):
            await test_broker.publish(
                orjson.dumps(GOLDEN["nat-medicare-clean"]),
                SETTINGS.CLAIMSCRUB_TOPIC_SUBMITTED,
                key=b"k",
                headers=headers,
            )
        await broker.handler.drain(timeout_s=5)  # the claim's line is written once settled
    return collected, logs.events("claim_scrubbed")


def _in_memory_provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


async def test_tracing_off_the_result_carries_the_incoming_trace() -> None:
    observability = Observability(Metrics(rule_severities()))

    collected, (logged,) = await _scrub_in_memory(observability, {"traceparent": TRACEPARENT})

    (result,) = collected.results
    assert result.headers["traceparent"] == TRACEPARENT
    assert logged["trace_id"] == TRACE_ID


async def test_tracing_on_the_result_continues_the_incoming_trace_in_a_claim_span() -> None:
    provider, exporter = _in_memory_provider()
    observability = Observability(Metrics(rule_severities()), provider)

    collected, (logged,) = await _scrub_in_memory(observability, {})

    (result,) = collected.results
    headers = result.headers
    assert incoming_trace_id(headers["traceparent"]) == TRACE_ID, headers
    assert logged["trace_id"] == TRACE_ID
    topic = SETTINGS.CLAIMSCRUB_TOPIC_SUBMITTED
    spans = exporter.get_finished_spans()
    (claim_span,) = [span for span in spans if span.name == f"{topic} scrub"]
    (produced,) = [
        span
        for span in spans
        if span.name == f"{topic} create" and span.kind is trace.SpanKind.PRODUCER
    ]
    (batch,) = [span for span in spans if span.name == f"{topic} process"]
    # A child of the span the message was produced in, linked to FastStream's batch span.
    assert claim_span.parent is not None
    assert claim_span.parent.span_id == produced.context.span_id
    assert claim_span.context.trace_id == int(TRACE_ID, 16)
    assert [link.context.span_id for link in claim_span.links] == [batch.context.span_id]
    assert claim_span.attributes is not None
    assert claim_span.attributes["claimscrub.outcome"] == "pass"
    # The result's traceparent names the worker's publish span, the claim span's child.
    _, _, result_parent, _ = headers["traceparent"].split("-")
    (publish,) = [span for span in spans if f"{span.context.span_id:016x}" == result_parent]
    assert (publish.name, publish.kind) == (f"{result.topic} publish", trace.SpanKind.PRODUCER)
    assert publish.parent is not None
    assert publish.parent.span_id == claim_span.context.span_id


def test_tracing_on_without_a_traceparent_the_claim_span_is_the_current_spans_child() -> None:
    provider, exporter = _in_memory_provider()
    tracer = OtelTracer(provider)
    routed = _route_clean()

    with provider.get_tracer("test").start_as_current_span("batch") as batch:
        claim = tracer.start(_record([]))
        with tracer.publishing(claim, routed):
            pass

    (claim_span,) = [span for span in exporter.get_finished_spans() if span.name == "t scrub"]
    assert claim_span.parent is not None
    assert claim_span.parent.span_id == batch.get_span_context().span_id
    assert claim.trace_id == f"{batch.get_span_context().trace_id:032x}"
    assert not claim_span.links


def _route_clean() -> Routed:
    return route(
        orjson.dumps(GOLDEN["nat-medicare-clean"]),
        MessageSource(topic="t", partition=0, offset=1),
        default_engine(),
        datetime.now(UTC),
        topics=SETTINGS.topics(),
    )
