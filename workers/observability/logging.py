"""structlog setup: JSON lines for machines, a console renderer for a person at a terminal.

Logs are PHI-free by construction: callers log claim ids, outcomes, rule ids and Kafka
positions only, never a claim document or an exception text that might quote one.
FastStream's and aiokafka's stdlib records go through the same renderer, so a log shipper
sees one format.

``redact_phi`` is the second line of defence: whatever a future log call passes by
mistake, a field named like patient data (``patient``, ``member_id``, ``birth_date`` ...)
is replaced before rendering, at any depth of nested dicts and lists. It works by field
name only, so it cannot catch PHI inside a free-text message: that is what the first line
(never logging claim data or exception messages) is for.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any, TextIO

import orjson
import structlog

# FastStream's own logger writes to stdout with its own format; the worker hands it this
# one instead, which propagates to the root handler configured below.
FASTSTREAM_LOGGER = logging.getLogger("claimscrub.faststream")

# The claim in hand: ``workers.observe`` sets it while a claim is routed, and every line
# logged meanwhile carries its fields (trace id, Kafka position). One ContextVar set per
# claim is cheaper than structlog's ``bind_contextvars``, which sets one per field.
CLAIM_CONTEXT: ContextVar[Mapping[str, Any] | None] = ContextVar("claim_context", default=None)


def merge_claim_context(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the claim in hand's fields, unless the call passed its own."""
    context = CLAIM_CONTEXT.get()
    if context:
        for key, value in context.items():
            event_dict.setdefault(key, value)
    return event_dict


def _json_line(event_dict: Any, **options: Any) -> str:
    # orjson: a third of json.dumps's time on the one-line-per-claim hot path.
    return orjson.dumps(event_dict, default=options.get("default")).decode()


# Field names (compared in lower case) whose values are patient data in claim.submitted/v1
# or common names for the same; claim_id, payer.name and the like are deliberately absent.
PHI_FIELDS = frozenset(
    {
        "patient",
        "member_id",
        "subscriber_id",
        "first_name",
        "last_name",
        "middle_name",
        "patient_name",
        "birth_date",
        "date_of_birth",
        "dob",
        "ssn",
    }
)
REDACTED = "[redacted]"


def redact_phi(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: replace the value of every PHI-named field (module doc)."""
    for key, value in event_dict.items():
        event_dict[key] = _redacted(key, value)
    return event_dict


# Exact types, so the usual field skips the abstract-class checks below: they were half the
# cost of the one line logged per claim.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _redacted(key: object, value: Any) -> Any:
    if isinstance(key, str) and key.lower() in PHI_FIELDS:
        return REDACTED
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Mapping):
        return {k: _redacted(k, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(None, item) for item in value]
    return value


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """Route structlog and the stdlib loggers to one stream, stderr by default, so that
    ``claimscrub scrub`` keeps stdout for results."""
    out = stream or sys.stderr
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer()
        if out.isatty()
        else structlog.processors.JSONRenderer(serializer=_json_line)
    )
    shared: list[structlog.typing.Processor] = [
        merge_claim_context,
        redact_phi,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    numeric = logging.getLevelNamesMapping()[level]
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, *shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
                *shared,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # aiokafka logs connection chatter at INFO and retried metadata misses at ERROR.
    logging.getLogger("aiokafka").setLevel(max(numeric, logging.WARNING))


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
