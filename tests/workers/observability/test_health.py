"""``workers.health`` without a broker: what /healthz and /readyz answer when the consume
loop died or nothing is connected (the healthy answers are in tests/integration)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from claimscrub.workers.observability.health import Health
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings

SETTINGS = Settings(KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9")


async def _call(health: Health, path: str) -> tuple[int, dict[str, Any]]:
    """GET ``path`` through its ASGI handler: (status, JSON body)."""
    handler = dict(health.handlers())[path]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await handler({"type": "http", "method": "GET", "path": path}, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


async def test_a_worker_not_connected_is_live_but_not_ready() -> None:
    health = Health(build_broker(SETTINGS), ping_timeout_s=0.2)

    assert await _call(health, "/healthz") == (200, {"live": True, "stopped_consumers": []})
    assert await _call(health, "/readyz") == (
        503,
        {"ready": False, "assigned_partitions": 0, "broker_reachable": False},
    )


async def test_a_dead_consume_loop_fails_liveness() -> None:
    broker = build_broker(SETTINGS)
    (subscriber,) = broker.subscribers
    dead: asyncio.Task[None] = asyncio.create_task(asyncio.sleep(0))
    await dead
    subscriber.running = True
    subscriber.tasks = [dead]  # type: ignore[attr-defined]

    status, body = await _call(Health(broker), "/healthz")

    assert status == 503
    assert body == {"live": False, "stopped_consumers": [[SETTINGS.CLAIMSCRUB_TOPIC_SUBMITTED]]}


async def test_a_restarted_consume_loop_is_live() -> None:
    """FastStream restarts a failed consume task as a new one: live while any runs."""
    broker = build_broker(SETTINGS)
    (subscriber,) = broker.subscribers
    dead: asyncio.Task[None] = asyncio.create_task(asyncio.sleep(0))
    await dead
    running = asyncio.create_task(asyncio.sleep(10))
    subscriber.running = True
    subscriber.tasks = [dead, running]  # type: ignore[attr-defined]
    try:
        assert await _call(Health(broker), "/healthz") == (
            200,
            {"live": True, "stopped_consumers": []},
        )
    finally:
        running.cancel()
