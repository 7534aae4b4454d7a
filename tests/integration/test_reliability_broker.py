"""The worker against a broker of its own that requires SASL/SCRAM-SHA-512 and is stopped
and restarted mid-stream: the connection settings work (and a wrong password does not),
and an outage pauses the worker without losing or skipping a claim."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError

from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings
from tests.conftest import isolated_settings
from tests.integration.kafka_io import ResultReader, create_topics, publish
from tests.integration.reliability.broker import PASSWORD, USERNAME, SecondBroker
from tests.integration.reliability.checks import check_delivery, verify_run
from tests.integration.reliability.claims import claim_stream
from tests.integration.reliability.worker import WorkerProcess
from tests.logs import capture_logs

pytestmark = pytest.mark.integration

SaslSettings = Callable[..., Settings]


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SecondBroker, str]]:
    broker = SecondBroker(tmp_path_factory.mktemp("sasl-broker"))
    address = broker.start()
    try:
        yield broker, address
    finally:
        broker.stop()


@pytest.fixture
def sasl_settings(sasl_broker: tuple[SecondBroker, str]) -> SaslSettings:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": USERNAME,
            "KAFKA_SASL_PASSWORD": PASSWORD,
            **overrides,
        }
        return isolated_settings(sasl_broker[1], **values)

    return make


async def test_the_worker_scrubs_over_sasl_scram(sasl_settings: SaslSettings) -> None:
    settings = sasl_settings()
    await create_topics(settings)
    sent = await publish(settings, claim_stream("sasl", 20))
    async with ResultReader(settings) as reader, build_broker(settings) as broker:
        await broker.start()
        await reader.wait_for_all(sent, timeout_s=60, linger_s=0.5)
    check_delivery(settings, sent, reader.results)


async def test_a_wrong_password_is_refused_and_not_logged(sasl_settings: SaslSettings) -> None:
    wrong = "not-the-password-4711"
    settings = sasl_settings(KAFKA_SASL_PASSWORD=wrong)
    logs = capture_logs("DEBUG")
    broker = build_broker(settings)
    with pytest.raises(KafkaConnectionError) as refused:
        await broker.start()
    await broker.stop()
    assert "SaslAuthenticationFailed" in logs.text
    assert wrong not in logs.text
    assert wrong not in str(refused.value)


async def test_a_broker_restart_mid_stream_loses_and_skips_nothing(
    sasl_broker: tuple[SecondBroker, str],
    sasl_settings: SaslSettings,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """Claims keep coming while the broker is down; the worker stays up, waits, and
    carries on where it was once the same broker is back."""
    started = time.monotonic()
    broker, _ = sasl_broker
    settings = sasl_settings()
    await create_topics(settings)
    inputs = claim_stream("outage", 2_000)
    with WorkerProcess(settings, tmp_path_factory.mktemp("outage")) as worker:
        async with ResultReader(settings) as reader:
            worker.start()
            warm_up = await publish(settings, inputs[:100])
            await reader.wait_until(lambda results: len(results) >= 50, 60, "the worker up")
            publishing = asyncio.create_task(publish(settings, inputs[100:], per_second=200))
            await reader.wait_until(lambda results: len(results) >= 300, 60, "300 results")
            assert not publishing.done(), "the stream ended before the outage"
            down = time.monotonic()
            await asyncio.to_thread(broker.stop, keep=True)
            await asyncio.sleep(3)
            assert worker.alive(), "the worker exited while the broker was down"
            await asyncio.to_thread(broker.start)
            outage_s = time.monotonic() - down
            sent = warm_up + await publishing
            await reader.wait_for_all(sent, timeout_s=120)
            assert worker.alive()
            code, _ = worker.terminate(35)
            assert code == 0

    verify_run(request, reader, worker, sent, started, outage_s=round(outage_s, 1))
