"""Trace context per claim: the id that ties a claim's log line, its result and its trace.

Every consumed record gets a ``ClaimTrace``: a W3C trace id and the headers its result is
published with. The trace id comes from the record's ``traceparent`` header when the PM
system sent one, else it is new; the result carries a ``traceparent`` with that trace id
either way, so a billing consumer can quote it and operations find the ``claim_scrubbed``
line.

Two implementations, chosen by ``CLAIMSCRUB_TRACING``:

- ``PassThroughTracer`` (default, off): no spans, no exporter. An incoming ``traceparent``
  (and ``tracestate``) is forwarded unchanged, as W3C Trace Context allows a component that
  does not trace; without one a new, unsampled context is started. A few microseconds.
- ``OtelTracer`` (on): FastStream's ``KafkaTelemetryMiddleware`` traces each batch, but a
  batch span is a new trace (FastStream links it to the producers' spans only for records
  that carry a ``correlation_id``). So each claim gets a span of its own, a child of the
  incoming ``traceparent`` (linked to the batch span), and its result a publish span under
  it, whose context goes into the result's headers. The results bypass FastStream's
  middlewares (``workers.producer``), so the publish span is started here, not by them.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiokafka import ConsumerRecord
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from claimscrub.workers.runtime.pipeline import Routed

CONTENT_TYPE = "application/json"
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")
_PROPAGATOR = TraceContextTextMapPropagator()
_ZERO_TRACE = "0" * 32


@dataclass(slots=True)
class ClaimTrace:
    """One record's trace: its id (for the log line), the headers its result is published
    with, and its span when tracing is on."""

    trace_id: str
    headers: dict[str, str]
    span: trace.Span | None = None


class ClaimTracer(Protocol):
    def start(self, record: ConsumerRecord[bytes, bytes]) -> ClaimTrace:
        """Called before the record is routed."""
        ...

    def publishing(self, claim: ClaimTrace, result: Routed) -> AbstractContextManager[None]:
        """Wraps the publish of the record's result."""
        ...


class PassThroughTracer:
    """Tracing off: forward the producer's trace context, or start an unsampled one."""

    def start(self, record: ConsumerRecord[bytes, bytes]) -> ClaimTrace:
        traceparent = tracestate = None
        for key, value in record.headers:
            if key == "traceparent":
                traceparent = value.decode("ascii", "replace")
            elif key == "tracestate":
                tracestate = value.decode("ascii", "replace")
        trace_id = incoming_trace_id(traceparent)
        if trace_id is not None and traceparent is not None:
            headers = {"content-type": CONTENT_TYPE, "traceparent": traceparent.strip()}
            if tracestate:
                headers["tracestate"] = tracestate
            return ClaimTrace(trace_id, headers)
        trace_id = f"{random.getrandbits(128) or 1:032x}"
        span_id = f"{random.getrandbits(64) or 1:016x}"
        return ClaimTrace(
            trace_id, {"content-type": CONTENT_TYPE, "traceparent": f"00-{trace_id}-{span_id}-00"}
        )

    def publishing(self, claim: ClaimTrace, result: Routed) -> AbstractContextManager[None]:
        return nullcontext()


class OtelTracer:
    """Tracing on: a span per claim, current while its result is published."""

    def __init__(self, provider: TracerProvider) -> None:
        self._tracer = provider.get_tracer("claimscrub")

    def start(self, record: ConsumerRecord[bytes, bytes]) -> ClaimTrace:
        carrier = {key: value.decode("ascii", "replace") for key, value in record.headers}
        incoming = _PROPAGATOR.extract(carrier)
        has_parent = trace.get_current_span(incoming).get_span_context().is_valid
        batch = trace.get_current_span().get_span_context()
        span = self._tracer.start_span(
            f"{record.topic} scrub",
            # No incoming context: a child of FastStream's batch span (the current one).
            context=incoming if has_parent else None,
            kind=trace.SpanKind.CONSUMER,
            links=[trace.Link(batch)] if has_parent and batch.is_valid else None,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": record.topic,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
            },
        )
        trace_id = f"{span.get_span_context().trace_id:032x}"
        # ``publishing`` adds the publish span's trace context to these headers.
        return ClaimTrace(trace_id, {"content-type": CONTENT_TYPE}, span)

    @contextmanager
    def publishing(self, claim: ClaimTrace, result: Routed) -> Iterator[None]:
        """A publish span, the claim span's child, for the hand-over of its result; the
        result's ``traceparent`` names it. Both spans end with the hand-over."""
        span = claim.span
        assert span is not None, "started by OtelTracer.start"
        span.set_attribute("claimscrub.outcome", result.outcome)
        if result.logged_claim_id is not None:
            span.set_attribute("claimscrub.claim_id", result.logged_claim_id)
        publish = self._tracer.start_span(
            f"{result.topic} publish",
            context=trace.set_span_in_context(span),
            kind=trace.SpanKind.PRODUCER,
            # No message key: a dead letter's is whatever its producer chose, maybe PHI.
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "send",
                "messaging.destination.name": result.topic,
            },
        )
        _PROPAGATOR.inject(claim.headers, context=trace.set_span_in_context(publish))
        try:
            yield
        except Exception as error:
            for ended in (publish, span):
                ended.set_status(trace.StatusCode.ERROR, type(error).__name__)
            raise
        finally:
            publish.end()
            span.end()


def incoming_trace_id(traceparent: str | None) -> str | None:
    """The trace id of a valid W3C ``traceparent`` value, else None."""
    if not traceparent:
        return None
    match = _TRACEPARENT.match(traceparent.strip())
    if match is None or traceparent.startswith("ff") or match.group(1) == _ZERO_TRACE:
        return None
    return match.group(1)


def otlp_tracer_provider() -> TracerProvider:
    """The SDK provider for a running worker: spans batched to an OTLP/HTTP collector,
    configured by the standard ``OTEL_EXPORTER_OTLP_*`` variables (endpoint
    ``http://localhost:4318`` by default) and named by ``OTEL_SERVICE_NAME`` (claimscrub)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    name = os.environ.get("OTEL_SERVICE_NAME", "claimscrub")
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider
