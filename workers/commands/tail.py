"""``claimscrub tail``: results as they arrive, one line each, for a person at a terminal.

A plain consumer with no group: it commits nothing and never takes partitions from the
worker or from billing consumers. It starts at the end of every partition (only what
arrives from now on) unless asked to start at the beginning.

It runs until Ctrl-C, ``--max`` records, or ``--idle`` seconds without one, whichever
comes first. ``--max`` alone waits for its N records however long they take, as
``kafka-console-consumer --max-messages`` and ``kcat -c`` do: a count is not a time limit,
and a script that wants one says ``--idle`` (``--from-beginning --idle 2`` prints what a
topic holds and stops). Stopping for ``--idle`` is no error (exit 0); it says on stderr how
many records came.

Lines carry ids, outcomes, rule ids and error texts (which the contract keeps free of
claim values), never a claim document: a dead letter's ``raw`` and a submitted claim's
patient are PHI.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from rich.console import Console
from rich.markup import escape

from claimscrub.workers.commands.kafka_admin import client_options, topic_partitions
from claimscrub.workers.settings import Settings

STYLES = {"pass": "green", "fix_suggested": "yellow", "hold": "red", "invalid": "magenta"}


def resolve_topics(settings: Settings, names: list[str]) -> list[str]:
    """Topic names, with the worker's topics also by their short names (``Topics``)."""
    topics = settings.topics()
    return list(dict.fromkeys(topic for name in names for topic in topics.by_short_name(name)))


async def tail(
    settings: Settings,
    topics: list[str],
    console: Console,
    *,
    from_beginning: bool = False,
    max_records: int | None = None,
    idle_timeout_s: float | None = None,
    status: Console | None = None,
) -> int:
    """Print records of ``topics`` until ``max_records`` were printed, nothing arrived for
    ``idle_timeout_s``, or the task is cancelled (Ctrl-C). Returns how many were printed."""
    partitions = await topic_partitions(settings, topics)
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    printed = 0
    try:
        await consumer.start()  # inside: a failed start leaves what it opened to stop()
        consumer.assign(partitions)
        start = await (
            consumer.beginning_offsets(partitions)
            if from_beginning
            else consumer.end_offsets(partitions)
        )
        for partition, offset in start.items():
            consumer.seek(partition, offset)
        where = "the beginning" if from_beginning else "the end"
        (status or console).print(
            f"tailing {', '.join(topics)} ({len(partitions)} partitions) from {where}",
            highlight=False,
            soft_wrap=True,
        )
        last = time.monotonic()
        while max_records is None or printed < max_records:
            batches = await consumer.getmany(timeout_ms=500)
            records = sorted(
                (record for batch in batches.values() for record in batch),
                key=lambda record: record.timestamp,
            )
            if records:
                last = time.monotonic()
            elif idle_timeout_s is not None and time.monotonic() - last >= idle_timeout_s:
                (status or console).print(
                    f"nothing for {idle_timeout_s:g} s: stopped after {printed} record(s)",
                    highlight=False,
                )
                break
            for record in records[: None if max_records is None else max_records - printed]:
                console.print(describe(record), highlight=False, soft_wrap=True)
                printed += 1
    finally:
        await consumer.stop()
    return printed


def describe(record: ConsumerRecord[bytes, bytes]) -> str:
    """One rich-markup line: when, where, and what the event says (PHI-free)."""
    at = datetime.fromtimestamp(record.timestamp / 1000, UTC).strftime("%H:%M:%S")
    where = f"[dim]{at}[/] {escape(record.topic)} [dim]{record.partition}@{record.offset}[/]"
    try:
        document = orjson.loads(record.value or b"")
    except orjson.JSONDecodeError:
        return f"{where} [magenta]not JSON[/] ({len(record.value or b'')} bytes)"
    if not isinstance(document, dict):
        return f"{where} [magenta]not a JSON object[/]"
    return f"{where} {_summary(document)}"


def _summary(document: dict[str, Any]) -> str:
    schema = document.get("schema")
    claim = f"{escape(str(document.get('claim_id')))} r{document.get('revision')}"
    if schema == "claim.scrubbed/v1":
        outcome = str(document.get("outcome"))
        rules = ", ".join(escape(str(f.get("rule"))) for f in document.get("findings") or [])
        style = STYLES.get(outcome, "white")
        return f"{claim} [{style}]{escape(outcome)}[/] {rules or '-'}"
    if schema == "claim.invalid/v1":
        source = document.get("source") or {}
        errors = "; ".join(
            f"{escape(str(e.get('path') or '<message>'))}: {escape(str(e.get('message')))}"
            for e in document.get("errors") or []
        )
        origin = f"{source.get('topic')} {source.get('partition')}@{source.get('offset')}"
        return f"[magenta]invalid[/] {escape(origin)}: {errors}"
    if schema == "claim.submitted/v1":
        lines = len(document.get("lines") or [])
        return f"{claim} submitted, {lines} line(s), event {escape(str(document.get('event_id')))}"
    return f"{escape(str(schema or 'no schema'))} event"
