"""The FastStream worker: claims.submitted in, one result per message out, at least once.

Delivery design (docs/reliability.md has the guarantees and the tests that prove them).
At-least-once, with results whose event ids are derived from the source event so that
consumers can drop duplicates; not Kafka transactions, because FastStream 0.7 has none and
aiokafka's ``send_offsets_to_transaction`` takes only a group id (no generation, KIP-447),
so fencing a zombie worker after a rebalance would need a transactional producer per input
partition, beside FastStream rather than inside it (the doc weighs it in full).

- A batch subscriber (``batch=True``, up to ``CLAIMSCRUB_BATCH_MAX_RECORDS`` records)
  with ``AckPolicy.MANUAL`` and auto-commit off. ``AckPolicy.ACK`` would commit even when
  the handler raised, and ``NACK_ON_ERROR`` would redeliver at once in a tight loop, so the
  handler decides itself.
- Every record of the batch is routed through ``workers.pipeline.route`` (the same path as
  ``claimscrub scrub``), so a bad message becomes a dead letter instead of an exception,
  and every result fits ``CLAIMSCRUB_MAX_RESULT_BYTES`` (the producer's limit is set just
  above it), so no result can fail on every attempt for its size.
- Results are sent in input order, each keyed by claim id (dead letters by the original
  key), to the producer's default partitioner: one partition per key keeps every revision
  of a claim in order, and the idempotent producer (``acks="all"``) keeps that order across
  its own retries. The results go straight to an aiokafka producer the worker owns
  (``workers.producer``), one ``send`` each, and the batch waits once for all of their
  deliveries: FastStream's ``broker.publish`` cost ~170 µs per result, and its
  ``publish_batch`` writes a whole batch to one partition, which would break keying.
- Only when the broker has acknowledged every result is the batch acked: an ack commits
  the consumer's position on every partition of the batch, which is exactly the end of the
  batch because batches are handled one at a time. A failed commit is logged and left to
  the next one.
- If any send fails, or anything else goes wrong, nothing is committed: after an
  exponential backoff with jitter (``CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S`` doubling up to
  ``CLAIMSCRUB_RETRY_BACKOFF_MAX_S``) the batch is nacked, which seeks each partition back
  to its first record of the batch, and the whole batch is processed again. Results that
  did reach the broker are then published twice with the same event ids. Retries are
  unbounded on purpose: stopping would lose claims, and a broker outage is the usual cause.
  Polling again between attempts (rather than retrying inside the handler) keeps the
  consumer in its group however long an outage lasts, and each attempt after a failure
  starts with a new producer (``workers.producer``: aiokafka's idempotent producer never
  recovers from a failed delivery by itself).
- On SIGTERM FastStream stops polling and waits up to ``CLAIMSCRUB_SHUTDOWN_TIMEOUT_S``
  for the batch in hand to be published and committed (a backoff pause ends at once);
  past that the batch is abandoned uncommitted and redone by whoever gets its partitions.
  The result producer stops after that (``WorkerBroker.stop``), once its sends are done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError
from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from contracts import MessageSource
from workers.backoff import Backoff, pause
from workers.logging import FASTSTREAM_LOGGER, get_logger
from workers.observe import ClaimObserver, Observability, Observed
from workers.pipeline import Limits, Routed, ScrubEngine, Topics, route
from workers.producer import KafkaSender, ResultSender
from workers.settings import Settings

log = get_logger(__name__)


def topics_from(settings: Settings) -> Topics:
    return Topics(
        passed=settings.CLAIMSCRUB_TOPIC_PASS,
        fix_suggested=settings.CLAIMSCRUB_TOPIC_FIX_SUGGESTED,
        hold=settings.CLAIMSCRUB_TOPIC_HOLD,
        invalid=settings.CLAIMSCRUB_TOPIC_INVALID,
    )


class WorkerBroker(KafkaBroker):
    """FastStream's Kafka broker, which also starts and stops the worker's result sender.

    On the broker rather than in app hooks, because the tests and the demo run the broker
    without a FastStream app. The sender starts before the subscriber takes its first
    batch, and stops only after the subscriber has finished the batch in hand.
    """

    sender: ResultSender

    async def start(self) -> None:
        # FastStream's clients first: a wrong address or password fails here, as before.
        await self.connect()
        await self.sender.start()
        await super().start()

    async def stop(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> None:
        try:
            await super().stop(exc_type, exc_val, exc_tb)
        finally:
            await self.sender.stop()


def build_broker(
    settings: Settings,
    engine: ScrubEngine | None = None,
    observability: Observability | None = None,
    sender: Callable[[KafkaBroker], ResultSender] | None = None,
) -> WorkerBroker:
    """A broker with the scrub subscriber registered; ``engine`` defaults to the rules,
    ``observability`` (metrics registry, tracing) to what ``settings`` ask for, and
    ``sender`` (given the broker) to the worker's own Kafka producer."""
    if observability is None:
        observability = Observability.from_settings(settings)
    if engine is None:
        from scrubbers import default_engine  # noqa: PLC0415 (loads reference data)

        engine = default_engine()
    # FastStream still starts a producer of its own, with the admin client that /readyz
    # asks (``consumer_only`` would skip both); nothing publishes through it.
    broker = WorkerBroker(
        settings.KAFKA_BOOTSTRAP_SERVERS,
        security=settings.security(),
        client_id="claimscrub",
        logger=FASTSTREAM_LOGGER,
        graceful_timeout=settings.CLAIMSCRUB_SHUTDOWN_TIMEOUT_S,
        middlewares=observability.middlewares(),
    )
    broker.sender = KafkaSender(settings) if sender is None else sender(broker)
    observer = observability.observer()
    handler = BatchHandler(broker.sender, engine, topics_from(settings), settings, observer)
    subscriber = broker.subscriber(
        settings.CLAIMSCRUB_TOPIC_SUBMITTED,
        batch=True,
        group_id=settings.CLAIMSCRUB_GROUP_ID,
        max_records=settings.CLAIMSCRUB_BATCH_MAX_RECORDS,
        batch_timeout_ms=settings.CLAIMSCRUB_BATCH_TIMEOUT_MS,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        decoder=_values_as_bytes,
        session_timeout_ms=settings.CLAIMSCRUB_SESSION_TIMEOUT_MS,
        # Kafka wants heartbeats well within the session; a third is its own rule of thumb.
        heartbeat_interval_ms=min(3_000, settings.CLAIMSCRUB_SESSION_TIMEOUT_MS // 3),
    )
    subscriber(handler.handle)
    # FastStream clears `running` first thing on stop: a backoff pause then ends early.
    handler.running = lambda: subscriber.running
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
        sender: ResultSender,
        engine: ScrubEngine,
        topics: Topics,
        settings: Settings,
        observer: ClaimObserver,
    ) -> None:
        self.sender = sender
        self.observer = observer
        self.engine = engine
        self.topics = topics
        self.limits = Limits(
            message_bytes=settings.CLAIMSCRUB_MAX_MESSAGE_BYTES,
            result_bytes=settings.CLAIMSCRUB_MAX_RESULT_BYTES,
        )
        self.backoff = Backoff(
            settings.CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S, settings.CLAIMSCRUB_RETRY_BACKOFF_MAX_S
        )
        self.running: Callable[[], bool] = lambda: True
        # After any failure the producer may hold spent sequence numbers (workers/producer.py)
        self.renew_producer = False

    async def handle(self, message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        try:
            if self.renew_producer:
                # stop() waits for the old producer's pending sends: none can land after
                # the redone batch's results.
                await self.sender.stop()
                await self.sender.start()
                self.renew_producer = False
            observed = [self.observer.route(record, self._route) for record in records]
            await self._publish_all(observed)
        except Exception as error:
            self.renew_producer = True
            await self._retry_later(message, records, error)
            return
        self.backoff.reset()
        await self._commit(message, records)
        for item in observed:
            self.observer.done(item)

    async def _retry_later(
        self,
        message: KafkaMessage,
        records: Sequence[ConsumerRecord[bytes, bytes]],
        error: Exception,
    ) -> None:
        """Commit nothing; after a backoff, rewind to the batch's first records so the next
        poll returns the whole batch again. The error's type only: its text may quote a
        record (PHI)."""
        delay = self.backoff.next_delay()
        first = records[0]
        log.error(
            "batch_failed",
            error_type=type(error).__name__,
            topic=first.topic,
            partition=first.partition,
            first_offset=first.offset,
            records=len(records),
            attempt=self.backoff.failures,
            retry_in_s=round(delay, 3),
        )
        await pause(delay, self.running)
        await message.nack()

    async def _commit(
        self, message: KafkaMessage, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> None:
        """Commit the consumer's position, the end of this batch. A failed commit loses
        nothing: the results are published, the position stays past them, so the next
        commit covers them; if the partitions moved meanwhile (a rebalance), their new owner
        redoes them from the last commit, which makes duplicates, not gaps."""
        try:
            await message.ack()
        except KafkaError as error:
            first = records[0]
            log.warning(
                "commit_failed",
                error_type=type(error).__name__,
                topic=first.topic,
                first_offset=first.offset,
                records=len(records),
            )

    def _route(self, record: ConsumerRecord[bytes, bytes]) -> Routed:
        source = MessageSource(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode("utf-8", "backslashreplace") if record.key else None,
        )
        now = datetime.now(UTC)
        return route(
            record.value or b"",
            source,
            self.engine,
            now,
            topics=self.topics,
            raw_key=record.key,
            limits=self.limits,
        )

    async def _publish_all(self, observed: Sequence[Observed]) -> None:
        """Send in input order, then wait until the broker has acknowledged every one."""
        deliveries = []
        for item in observed:
            result = item.result
            with self.observer.publishing(item):
                deliveries.append(
                    await self.sender.send(result.topic, result.value, result.key, item.headers)
                )
        outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
        self.observer.published(observed, outcomes)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
