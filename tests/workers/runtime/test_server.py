"""``claimscrub run`` when the broker cannot be reached at start: it gives up with a
failure (so an orchestrator restarts it) rather than serve a worker without a broker."""

from __future__ import annotations

import asyncio
import socket

from claimscrub.workers.runtime.server import serve
from claimscrub.workers.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_a_broker_that_cannot_be_reached_at_start_fails_the_run() -> None:
    settings = Settings(
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{_free_port()}",
        CLAIMSCRUB_HTTP_HOST="127.0.0.1",
        CLAIMSCRUB_HTTP_PORT=_free_port(),
    )
    assert await asyncio.wait_for(serve(settings), timeout=60) is False
