"""``claimscrub run`` when the broker cannot be reached at start: it gives up with a
failure (so an orchestrator restarts it) rather than serve a worker without a broker."""

from __future__ import annotations

import asyncio

from claimscrub.workers.runtime.server import serve
from claimscrub.workers.settings import Settings
from tests.ports import free_port


async def test_a_broker_that_cannot_be_reached_at_start_fails_the_run() -> None:
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}",
        CLAIMSCRUB_HTTP_HOST="127.0.0.1",
        CLAIMSCRUB_HTTP_PORT=free_port(),
    )
    assert await asyncio.wait_for(serve(settings), timeout=60) is False
