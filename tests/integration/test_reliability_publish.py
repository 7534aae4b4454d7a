"""A publish that keeps failing: the batch is redone after a growing, capped, jittered
backoff, nothing is committed until its results are all acknowledged, and then the
commit covers exactly the input; a producer that a failed delivery broke is replaced."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaTimeoutError

from claimscrub.workers.commands.kafka_admin import client_options
from claimscrub.workers.runtime.app import WorkerBroker
from claimscrub.workers.runtime.producer import Delivery, KafkaSender
from claimscrub.workers.settings import Settings
from tests.conftest import SettingsFactory
from tests.integration.kafka_io import (
    RESULT_PARTITIONS,
    publish,
    read_results,
    running_worker,
    wait_for_commits,
)
from tests.integration.reliability.claims import claim_stream
from tests.logs import CapturedLogs

pytestmark = pytest.mark.integration

FAILURES = 4
INITIAL_S, CAP_S = 0.2, 0.4


async def _committed(settings: Settings) -> int:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.CLAIMSCRUB_GROUP_ID)
    finally:
        await admin.close()
    return sum(meta.offset for meta in offsets.values() if meta.offset > 0)


async def test_repeated_publish_failures_back_off_and_commit_nothing(
    make_settings: SettingsFactory, captured_logs: CapturedLogs
) -> None:
    settings = make_settings(
        CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S=INITIAL_S, CLAIMSCRUB_RETRY_BACKOFF_MAX_S=CAP_S
    )
    messages = claim_stream("flaky", 30)
    failed: list[None] = []
    committed_while_failing: list[int] = []

    async with running_worker(settings) as broker:
        assert isinstance(broker, WorkerBroker)
        real_send = broker.sender.send

        async def send_failing(*args: Any) -> Delivery:
            if len(failed) < FAILURES:
                if failed:
                    committed_while_failing.append(await _committed(settings))
                failed.append(None)
                raise KafkaTimeoutError
            return await real_send(*args)

        broker.sender.send = send_failing  # type: ignore[method-assign]
        sent = await publish(settings, messages)
        results = await read_results(settings, expected=len(messages), linger_s=1.0)
        committed, end = await wait_for_commits(settings)

    assert committed_while_failing == [0] * (FAILURES - 1)
    assert committed == end
    assert sum(end.values()) == len(sent)
    assert len(results) == len(messages), "every send failed before anything was published"
    retries = captured_logs.events("batch_failed")
    assert [entry["attempt"] for entry in retries] == list(range(1, FAILURES + 1))
    assert all(entry["error_type"] == "KafkaTimeoutError" for entry in retries)
    ceilings = [min(CAP_S, INITIAL_S * 2**n) for n in range(FAILURES)]
    delays = [entry["retry_in_s"] for entry in retries]
    assert all(c / 2 - 0.001 <= d <= c + 0.001 for d, c in zip(delays, ceilings, strict=True))


async def test_a_producer_broken_by_a_failed_delivery_is_replaced(
    make_settings: SettingsFactory,
) -> None:
    """aiokafka's idempotent producer never recovers from a failed delivery: the failed
    batch's sequence numbers are spent, and the broker refuses every later batch of that
    partition (OutOfOrderSequenceNumber), as after an outage longer than the request
    timeout. Simulated by skipping sequence numbers; the worker must carry on with a new
    producer (workers/producer.py)."""
    settings = make_settings(CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S=0.05)
    before, after = (claim_stream(run, 20) for run in ("seq-a", "seq-b"))
    async with running_worker(settings) as broker:
        assert isinstance(broker, WorkerBroker)
        assert isinstance(broker.sender, KafkaSender)
        await publish(settings, before)
        await read_results(settings, expected=len(before), linger_s=0.2)
        broken = broker.sender.producer
        assert broken is not None
        for topic in settings.topics().results:
            for partition in range(RESULT_PARTITIONS):
                broken._txn_manager.increment_sequence_number(TopicPartition(topic, partition), 5)
        sent = await publish(settings, after)
        results = await read_results(settings, expected=len(before) + len(after))
        committed, end = await wait_for_commits(settings)
        renewed = broker.sender.producer

    assert renewed is not broken
    sources = {r.document["source_event_id"] for r in results}
    assert sources == {orjson.loads(m.value or b"")["event_id"] for m in before + after}
    assert committed == end
    assert sum(end.values()) == len(before) + len(sent)
