"""``workers._framework``: every FastStream, aiokafka and uvicorn attribute the adapter
reaches beyond their public API still exists with the shape it assumes. An upgrade that
moves one fails here, and the adapter is the one file to mend."""

from __future__ import annotations

import inspect
from typing import Any

import orjson
import uvicorn
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from uvicorn.lifespan.on import LifespanOn

from claimscrub.workers import _framework
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings
from tests.golden import golden_claims
from tests.in_memory import InMemorySender

SETTINGS = Settings(KAFKA_BOOTSTRAP_SERVERS="in-memory:9092")


async def test_a_batch_message_carries_its_records_and_the_test_consumer() -> None:
    broker = KafkaBroker("in-memory:9092")
    seen: list[KafkaMessage] = []

    @broker.subscriber("t", batch=True)
    async def handle(message: KafkaMessage) -> None:
        seen.append(message)

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(b"{}", "t", key=b"k")
        subscriber = broker.subscribers[0]
        assert _framework.subscriber_running(subscriber)
        assert isinstance(_framework.consume_tasks(subscriber), list)
        assert _framework.assigned_partitions(subscriber) == 0  # the test broker has none
    (message,) = seen
    records = _framework.batch_records(message)
    assert all(isinstance(record, ConsumerRecord) for record in records)
    assert [record.value for record in records] == [b"{}"]
    in_memory = _framework.InMemoryCommitter()
    assert _framework.batch_committer(message, in_memory) is in_memory
    assert not _framework.subscriber_running(subscriber)  # cleared on stop


def test_aiokafka_consumer_commits_given_offsets_and_seeks() -> None:
    commit = inspect.signature(AIOKafkaConsumer.commit)
    assert "offsets" in commit.parameters
    seek = inspect.signature(AIOKafkaConsumer.seek)
    assert list(seek.parameters)[1:3] == ["partition", "offset"]
    assert callable(AIOKafkaConsumer.assignment)


def test_uvicorn_server_keeps_the_state_the_adapter_reads() -> None:
    server = uvicorn.Server(uvicorn.Config(app=_app, lifespan="on"))
    assert isinstance(server._captured_signals, list)
    _framework.forget_caught_signals(server)
    server.lifespan = LifespanOn(server.config)
    assert _framework.lifespan_failed(server) is False
    server.lifespan.error_occurred = True
    assert _framework.lifespan_failed(server) is True


async def test_in_memory_runs_commit_each_batch_end_through_the_settle_path() -> None:
    broker = build_broker(SETTINGS, sender=InMemorySender)
    claim = golden_claims()["nat-medicare-clean"]
    async with TestKafkaBroker(broker) as test_broker:
        for _ in range(3):
            await test_broker.publish(orjson.dumps(claim), SETTINGS.topics().submitted)
        await broker.handler.drain(5.0)
    committed = broker.handler.in_memory.committed
    assert set(committed) == {TopicPartition(SETTINGS.topics().submitted, 0)}
    assert next(iter(committed.values())) >= 1


async def _app(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app that does nothing: uvicorn's config needs one."""
