"""structlog setup: JSON lines for machines, a console renderer for a person at a terminal.

Logs are PHI-free by construction: callers log claim ids, outcomes, rule ids and Kafka
positions only, never a claim document or an exception text that might quote one.
FastStream's and aiokafka's stdlib records go through the same renderer, so a log shipper
sees one format.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

# FastStream's own logger writes to stdout with its own format; the worker hands it this
# one instead, which propagates to the root handler configured below.
FASTSTREAM_LOGGER = logging.getLogger("claimscrub.faststream")


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """Route structlog and the stdlib loggers to one stream, stderr by default, so that
    ``claimscrub scrub`` keeps stdout for results."""
    out = stream or sys.stderr
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer() if out.isatty() else structlog.processors.JSONRenderer()
    )
    shared: list[structlog.typing.Processor] = [
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
