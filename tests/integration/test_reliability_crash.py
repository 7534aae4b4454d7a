"""The worker process dies or is stopped mid-stream: nothing is lost, a duplicate is the
same result, the order of a claim's revisions holds, and no log line carries PHI.

The worker runs as ``claimscrub run`` in a subprocess (tests/integration/reliability/worker.py), so
SIGKILL and SIGTERM are the real thing: no in-process shortcut can commit on its way out.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import SettingsFactory
from tests.integration.kafka_io import ResultReader, create_topics, missing, publish, result_of
from tests.integration.reliability.checks import verify_run
from tests.integration.reliability.claims import claim_stream
from tests.integration.reliability.worker import WorkerProcess

pytestmark = pytest.mark.integration

CLAIMS = 2_400
# Kafka's smallest session timeout by default: a killed worker's partitions are free again
# after 6 s instead of 10.
SESSION_TIMEOUT_MS = 6_000
SHUTDOWN_TIMEOUT_S = 20.0


async def test_sigkill_twice_mid_stream_loses_nothing(
    make_settings: SettingsFactory,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    started = time.monotonic()
    settings = make_settings(CLAIMSCRUB_SESSION_TIMEOUT_MS=SESSION_TIMEOUT_MS)
    await create_topics(settings)
    inputs = claim_stream("kill", CLAIMS)
    with WorkerProcess(settings, tmp_path_factory.mktemp("sigkill")) as worker:
        async with ResultReader(settings) as reader:
            sent = await publish(settings, inputs)
            worker.start()
            for at_least in (CLAIMS // 4, CLAIMS * 3 // 5):
                await reader.wait_until(
                    lambda results, n=at_least: len(results) >= n, 90, f"{at_least} results"
                )
                worker.kill()
                assert missing(sent, reader.results), "killed after the stream ended"
                worker.start()
            await reader.wait_for_all(sent, timeout_s=120)
            code, _ = worker.terminate(SHUTDOWN_TIMEOUT_S + 15)
            assert code == 0

    verify_run(request, reader, worker, sent, started)


async def test_sigterm_mid_stream_drains_commits_and_exits_0(
    make_settings: SettingsFactory,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """A graceful stop finishes and commits the batch in hand, so the next worker starts
    exactly where it ended: no input lost, none done twice."""
    started = time.monotonic()
    settings = make_settings(CLAIMSCRUB_SHUTDOWN_TIMEOUT_S=SHUTDOWN_TIMEOUT_S)
    await create_topics(settings)
    inputs = claim_stream("term", 1_500)
    with WorkerProcess(settings, tmp_path_factory.mktemp("sigterm")) as worker:
        async with ResultReader(settings) as reader:
            sent = await publish(settings, inputs)
            worker.start()
            await reader.wait_until(lambda results: len(results) >= 300, 90, "300 results")
            code, shutdown_s = worker.terminate(SHUTDOWN_TIMEOUT_S + 15)
            assert code == 0
            assert shutdown_s < SHUTDOWN_TIMEOUT_S
            assert missing(sent, reader.results), "stopped after the stream ended"
            worker.start()
            await reader.wait_for_all(sent, timeout_s=120)
            worker.terminate(SHUTDOWN_TIMEOUT_S + 15)

    delivery = verify_run(request, reader, worker, sent, started, shutdown_s=round(shutdown_s, 2))
    assert delivery.duplicates == 0, sorted({result_of(r) for r in reader.results})[:3]
