"""Liveness and readiness for an orchestrator, as FastStream ASGI handlers.

- ``/healthz`` (liveness): the event loop answers, and the consume loop has not died
  while the subscriber is meant to run. A restart is the right cure for either, so this is
  all liveness checks; a broker outage is not a reason to restart (the worker waits and
  retries), so it is not checked here.
- ``/readyz`` (readiness): the consumer has partitions assigned and the broker answers a
  metadata request. A worker mid-rebalance, or one of more replicas than there are input
  partitions, has nothing assigned and reports not ready: it does no work until the group
  gives it some.

Both answer JSON, 200 when healthy and 503 when not, with the facts behind the answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from faststream.asgi import AsgiResponse, get
from faststream.asgi.handlers import GetHandler
from faststream.asgi.response import JSONResponse
from faststream.asgi.types import Scope
from faststream.kafka import KafkaBroker

from claimscrub.workers._framework import assigned_partitions, consume_tasks, subscriber_running

OK, UNAVAILABLE = 200, 503


@dataclass(frozen=True)
class Health:
    """Checks over one broker's subscribers; ``ping_timeout_s`` bounds the broker check."""

    broker: KafkaBroker
    ping_timeout_s: float = 2.0

    def live(self) -> dict[str, Any]:
        stopped = [
            getattr(sub, "topic_names", [])
            for sub in self.broker.subscribers
            if subscriber_running(sub) and _dead(consume_tasks(sub))
        ]
        return {"live": not stopped, "stopped_consumers": stopped}

    async def ready(self) -> dict[str, Any]:
        assigned = sum(assigned_partitions(sub) for sub in self.broker.subscribers)
        reachable = await self.broker.ping(self.ping_timeout_s)
        return {
            "ready": bool(assigned) and reachable,
            "assigned_partitions": assigned,
            "broker_reachable": reachable,
        }

    def handlers(self) -> list[tuple[str, GetHandler]]:
        """``(path, handler)`` routes for ``AsgiFastStream``."""

        @get(include_in_schema=False)
        async def healthz(scope: Scope) -> AsgiResponse:
            state = self.live()
            return JSONResponse(state, OK if state["live"] else UNAVAILABLE)

        @get(include_in_schema=False)
        async def readyz(scope: Scope) -> AsgiResponse:
            state = await self.ready()
            return JSONResponse(state, OK if state["ready"] else UNAVAILABLE)

        return [("/healthz", healthz), ("/readyz", readyz)]


def _dead(tasks: list[asyncio.Task[Any]]) -> bool:
    return bool(tasks) and all(task.done() for task in tasks)
