"""The worker on FastStream's in-memory ``TestKafkaBroker``: its results, sent to the test
broker's producer, reach the test's subscribers of the result topics (``ResultTopics``).

``InMemorySender`` hands each result to the producer ``TestKafkaBroker`` puts in place,
below ``broker.publish``: through ``broker.publish`` FastStream's middlewares would start
spans of their own and overwrite the ``traceparent`` the worker wrote, so the tests would
check FastStream's trace headers instead of the worker's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from faststream import PublishType
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.response import KafkaPublishCommand

from claimscrub.workers.runtime.producer import Delivery
from claimscrub.workers.settings import Settings


class InMemorySender:
    """A ``workers.producer.ResultSender`` whose results are delivered when ``send``
    returns (the test broker runs the subscribers' handlers within it)."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def start(self) -> None:
        """Nothing to start: ``TestKafkaBroker`` replaces the broker's start anyway."""

    async def send(
        self, topic: str, value: bytes, key: bytes | None, headers: Mapping[str, str]
    ) -> Delivery:
        command = KafkaPublishCommand(
            value, topic=topic, key=key, headers=dict(headers), _publish_type=PublishType.PUBLISH
        )
        await self._broker.config.producer.publish(command)
        delivered: Delivery = asyncio.get_running_loop().create_future()
        delivered.set_result(None)
        return delivered

    async def stop(self) -> None:
        """Nothing to stop."""


@dataclass(frozen=True)
class Collected:
    """One result as a subscriber of the in-memory broker received it."""

    topic: str
    key: bytes | None
    headers: dict[str, str]
    document: dict[str, Any]


class ResultTopics:
    """The result topics subscribed in the in-memory broker: every result, in order."""

    def __init__(self, broker: KafkaBroker, settings: Settings) -> None:
        self.results: list[Collected] = []
        for topic in settings.topics().results:
            broker.subscriber(topic)(self._collect)

    async def _collect(self, message: KafkaMessage) -> None:
        record: Any = message.raw_message
        headers = {key: value.decode() for key, value in record.headers}
        document = orjson.loads(message.body)
        self.results.append(Collected(record.topic, record.key, headers, document))
