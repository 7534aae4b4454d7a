"""The FastStream worker: claims.submitted in, one result per message out, at least once.

Delivery design (FastStream 0.7 has no Kafka transactions, so this is at-least-once with
results that carry deterministic event ids for consumers to deduplicate):

- A batch subscriber (``batch=True``, up to ``CLAIMSCRUB_BATCH_MAX_RECORDS`` records)
  with ``AckPolicy.MANUAL`` and auto-commit off. ``AckPolicy.ACK`` would commit even when
  the handler raised, and ``NACK_ON_ERROR`` would redeliver at once in a tight loop, so the
  handler decides itself.
- Every record of the batch is routed through ``workers.pipeline.route`` (the same path as
  ``claimscrub scrub``), so a bad message becomes a dead letter instead of an exception.
- Results are sent in input order, each keyed by claim id (dead letters by the original
  key), to the producer's default partitioner: one partition per key keeps every revision
  of a claim in order, and the idempotent producer (``acks="all"``) keeps that order across
  its own retries. ``publish_batch`` is not used because it writes a whole batch to one
  partition, which would break keying.
- Only when the broker has acknowledged every result is the batch acked: an ack commits
  the consumer's position on every partition of the batch, which is exactly the end of the
  batch because batches are handled one at a time.
- If any send fails, or anything else goes wrong, nothing is committed: after a pause of
  ``CLAIMSCRUB_PUBLISH_FAILURE_PAUSE_S`` the batch is nacked, which seeks each partition
  back to its first record of the batch, and the whole batch is processed again. Results
  that did reach the broker are then published twice with the same event ids. Retries are
  unbounded on purpose: stopping would lose claims, and a broker outage is the usual cause.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from contracts import MessageSource
from workers.logging import FASTSTREAM_LOGGER, get_logger
from workers.observe import ClaimObserver, Observability, Observed
from workers.pipeline import Routed, ScrubEngine, Topics, route
from workers.settings import Settings

log = get_logger(__name__)


def topics_from(settings: Settings) -> Topics:
    return Topics(
        passed=settings.CLAIMSCRUB_TOPIC_PASS,
        fix_suggested=settings.CLAIMSCRUB_TOPIC_FIX_SUGGESTED,
        hold=settings.CLAIMSCRUB_TOPIC_HOLD,
        invalid=settings.CLAIMSCRUB_TOPIC_INVALID,
    )


def build_broker(
    settings: Settings,
    engine: ScrubEngine | None = None,
    observability: Observability | None = None,
) -> KafkaBroker:
    """A broker with the scrub subscriber registered; ``engine`` defaults to the rules,
    ``observability`` (metrics registry, tracing) to what ``settings`` ask for."""
    if observability is None:
        observability = Observability.from_settings(settings)
    if engine is None:
        from scrubbers import default_engine  # noqa: PLC0415 (loads reference data)

        engine = default_engine()
    broker = KafkaBroker(
        settings.KAFKA_BOOTSTRAP_SERVERS,
        acks="all",
        enable_idempotence=True,
        security=settings.security(),
        client_id="claimscrub",
        logger=FASTSTREAM_LOGGER,
        middlewares=observability.middlewares(),
    )
    observer = observability.observer()
    handler = BatchHandler(broker, engine, topics_from(settings), settings, observer)
    broker.subscriber(
        settings.CLAIMSCRUB_TOPIC_SUBMITTED,
        batch=True,
        group_id=settings.CLAIMSCRUB_GROUP_ID,
        max_records=settings.CLAIMSCRUB_BATCH_MAX_RECORDS,
        batch_timeout_ms=settings.CLAIMSCRUB_BATCH_TIMEOUT_MS,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        decoder=_values_as_bytes,
    )(handler.handle)
    return broker


def build_app(
    settings: Settings,
    engine: ScrubEngine | None = None,
    observability: Observability | None = None,
) -> FastStream:
    return FastStream(build_broker(settings, engine, observability), logger=FASTSTREAM_LOGGER)


async def _values_as_bytes(message: StreamMessage[Any]) -> Any:
    """Keep message values as bytes. FastStream's default decoder parses JSON when a
    ``content-type`` header says so and would raise on a malformed value before the
    handler runs, leaving it neither routed nor dead-lettered."""
    return message.body


class BatchHandler:
    """Routes, publishes and commits one batch of records at a time (see module doc)."""

    def __init__(
        self,
        broker: KafkaBroker,
        engine: ScrubEngine,
        topics: Topics,
        settings: Settings,
        observer: ClaimObserver,
    ) -> None:
        self.broker = broker
        self.observer = observer
        self.engine = engine
        self.topics = topics
        self.failure_pause_s = settings.CLAIMSCRUB_PUBLISH_FAILURE_PAUSE_S

    async def handle(self, message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        try:
            observed = [self.observer.route(record, self._route) for record in records]
            await self._publish_all(observed)
        except Exception as error:
            first = records[0]
            log.error(
                "batch_failed",
                error_type=type(error).__name__,
                topic=first.topic,
                records=len(records),
                first_offset=first.offset,
                retry_in_s=self.failure_pause_s,
            )
            await asyncio.sleep(self.failure_pause_s)
            await message.nack()
            return
        await message.ack()
        for item in observed:
            self.observer.done(item)

    def _route(self, record: ConsumerRecord[bytes, bytes]) -> Routed:
        source = MessageSource(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode("utf-8", "backslashreplace") if record.key else None,
        )
        now = datetime.now(UTC)
        return route(
            record.value or b"", source, self.engine, now, topics=self.topics, raw_key=record.key
        )

    async def _publish_all(self, observed: Sequence[Observed]) -> None:
        """Send in input order, then wait until the broker has acknowledged every one.

        FastStream's in-memory ``TestKafkaBroker`` delivers during ``publish`` and returns
        None instead of a delivery future; there is nothing left to wait for then.
        """
        sent = []
        for item in observed:
            with self.observer.publishing(item):
                sent.append(
                    await self.broker.publish(
                        item.result.value,
                        topic=item.result.topic,
                        key=item.result.key,
                        headers=item.headers,
                        no_confirm=True,
                    )
                )
        pending = [future for future in sent if inspect.isawaitable(future)]
        outcomes = await asyncio.gather(*pending, return_exceptions=True)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            raise failures[0]
