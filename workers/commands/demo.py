"""``claimscrub demo``: the example claims through a real broker and the real worker.

It plays all three parties in one process: the PM system (a plain producer publishing
``examples/*.json``), the worker (the same ``build_broker`` as ``claimscrub run``) and the
billing queues (a plain consumer reading the result topics from their end).

Whichever broker it is given (the local one it started, or any other through
``KAFKA_BOOTSTRAP_SERVERS``), the demo works under names of its own: every topic and the
consumer group under ``claimscrub-demo.<8 random hex digits>.`` (``with_topic_prefix``),
created for the run and deleted after it, so it never publishes to a deployment's
``claims.submitted``, never joins its ``claimscrub`` group, and never sees another run's
results. When the topics cannot be deleted, it says in one line which were left. Its
consumer group, empty and without offsets once its topics are gone, is dropped by the
broker's own offsets cleanup (``offsets.retention.check.interval.ms``, 10 minutes by
default); aiokafka 0.14 has no public call to delete a group.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError
from rich.console import Console
from rich.markup import escape

from claimscrub.workers.commands.claim_files import claim_key, example_paths
from claimscrub.workers.commands.kafka_admin import (
    BrokerError,
    check_broker,
    client_options,
    delete_topics,
    ensure_topics,
    topic_partitions,
)
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings


class DemoTimeout(Exception):
    """Not every published claim had a result in time."""


@dataclass(frozen=True, slots=True)
class Published:
    """One example as sent: what identifies its result on the way back."""

    name: str
    claim_id: str | None
    event_id: str | None
    partition: int
    offset: int


PREFIX = "claimscrub-demo"


async def run_demo(settings: Settings, console: Console, timeout_s: float = 60.0) -> str:
    """Publish every example, wait for one result each, print one line per claim; all on
    topics of the demo's own (module doc), deleted at the end. Returns their prefix."""
    prefix = f"{PREFIX}.{uuid.uuid4().hex[:8]}"
    settings = settings.with_topic_prefix(prefix)
    files = example_paths()
    topics = settings.topics()
    names = [topics.submitted, *topics.results]
    await check_broker(settings, [])  # unreachable: one line, and nothing to clean up
    console.print(
        f"broker {settings.KAFKA_BOOTSTRAP_SERVERS}; topics and consumer group under "
        f"{prefix}.; publishing {len(files)} examples ...",
        highlight=False,
        soft_wrap=True,
    )
    try:
        await ensure_topics(settings, names)
        worker = build_broker(settings)
        reader = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
        try:
            await _read_from_the_end(reader, settings)
            await worker.start()
            published = await _publish(settings, files)
            results = await _collect(reader, published, timeout_s)
        finally:
            await worker.stop()
            await reader.stop()
        for item in published:
            topic, result = results[item.name]
            _print_line(console, item, topic.removeprefix(f"{prefix}."), result)
    finally:
        await _remove(settings, names, prefix, console)
    return prefix


async def _remove(settings: Settings, names: list[str], prefix: str, console: Console) -> None:
    try:
        await delete_topics(settings, names)
    except (BrokerError, KafkaError) as error:
        console.print(
            f"[yellow]left the demo's topics on the broker ({escape(str(error))}):[/] "
            f"{', '.join(names)}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(f"[dim]deleted the demo's topics ({prefix}.*)[/]", highlight=False)


async def _read_from_the_end(consumer: AIOKafkaConsumer, settings: Settings) -> None:
    """Start ``consumer`` on every result partition, at its end (the caller stops it)."""
    partitions = await topic_partitions(settings, settings.topics().results)
    await consumer.start()
    consumer.assign(partitions)
    for partition, end in (await consumer.end_offsets(partitions)).items():
        consumer.seek(partition, end)


async def _publish(settings: Settings, files: list[Path]) -> list[Published]:
    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True)
    try:
        await producer.start()  # inside: a failed start leaves what it opened to stop()
        published = []
        for path in files:
            raw = path.read_bytes()
            key = claim_key(raw)
            meta = await producer.send_and_wait(settings.topics().submitted, raw, key=key)
            published.append(
                Published(
                    name=path.name,
                    claim_id=key.decode() if key else None,
                    event_id=_event_id(raw),
                    partition=meta.partition,
                    offset=meta.offset,
                )
            )
        return published
    finally:
        await producer.stop()


async def _collect(
    reader: AIOKafkaConsumer, published: list[Published], timeout_s: float
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Results by example name: (topic, result document)."""
    by_event = {item.event_id: item.name for item in published if item.event_id}
    by_position: dict[tuple[Any, Any], str] = {
        (item.partition, item.offset): item.name for item in published
    }
    results: dict[str, tuple[str, dict[str, Any]]] = {}
    deadline = time.monotonic() + timeout_s
    while len(results) < len(published):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            missing = sorted({item.name for item in published} - results.keys())
            msg = f"no result within {timeout_s:.0f} s for: {', '.join(missing)}"
            raise DemoTimeout(msg)
        batches = await reader.getmany(timeout_ms=int(min(remaining, 1.0) * 1000))
        for records in batches.values():
            for record in records:
                document = orjson.loads(record.value)
                source = document.get("source") or {}
                name = by_event.get(document.get("source_event_id")) or by_position.get(
                    (source.get("partition"), source.get("offset"))
                )
                if name is not None:
                    results.setdefault(name, (record.topic, document))
    return results


def _event_id(raw: bytes) -> str | None:
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    event_id = document.get("event_id") if isinstance(document, dict) else None
    return event_id if isinstance(event_id, str) else None


STYLES = {"pass": "green", "fix_suggested": "yellow", "hold": "red", "invalid": "magenta"}


def _print_line(console: Console, item: Published, topic: str, result: dict[str, Any]) -> None:
    outcome = result.get("outcome", "invalid")
    if outcome == "invalid":
        detail = "; ".join(f"{e['path'] or '<message>'}: {e['message']}" for e in result["errors"])
    else:
        detail = ", ".join(finding["rule"] for finding in result["findings"]) or "-"
    console.print(
        f"{item.claim_id or '-':<18} [{STYLES[outcome]}]{topic:<28}[/] {escape(detail)}",
        highlight=False,
        soft_wrap=True,
    )
