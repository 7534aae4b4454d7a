"""``claimscrub run``: the worker and its HTTP endpoint in one process.

The FastStream app (``workers.app.build_app``, with its hooks) is wrapped in FastStream's
``AsgiFastStream``, which starts and stops the broker in the ASGI lifespan and serves, on
``CLAIMSCRUB_HTTP_HOST``:``CLAIMSCRUB_HTTP_PORT``:

- ``/metrics``: Prometheus text format, from the registry the worker's metrics and
  FastStream's Prometheus middleware share (``workers.metrics``);
- ``/healthz`` and ``/readyz``: liveness and readiness (``workers.health``).

uvicorn runs it: on SIGTERM or SIGINT it stops serving, the lifespan stops the broker (the
batch in hand finishes, or is left uncommitted to be redelivered), and the process exits 0.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import uvicorn
from faststream.asgi import AsgiFastStream
from faststream.asgi.types import ASGIApp
from faststream.kafka import KafkaBroker
from prometheus_client import make_asgi_app

from claimscrub.workers._framework import forget_caught_signals, lifespan_failed
from claimscrub.workers.observability.health import Health
from claimscrub.workers.observability.observe import Observability
from claimscrub.workers.runtime.app import build_app
from claimscrub.workers.runtime.pipeline import ScrubEngine
from claimscrub.workers.settings import Settings


def build_asgi(
    settings: Settings,
    engine: ScrubEngine | None = None,
    observability: Observability | None = None,
) -> AsgiFastStream:
    """The worker as an ASGI app: the broker in its lifespan, the endpoints as routes."""
    observability = observability or Observability.from_settings(settings)
    app = build_app(settings, engine, observability)
    routes: list[tuple[str, ASGIApp]] = [
        *Health(cast("KafkaBroker", app.broker)).handlers(),
        ("/metrics", make_asgi_app(observability.metrics.registry)),
    ]
    asgi = AsgiFastStream.from_app(app, asgi_routes=routes)
    if (provider := observability.tracer_provider) is not None:
        # Export the spans still buffered before the process ends.
        asgi.after_shutdown(provider.shutdown)
    return asgi


async def serve(settings: Settings) -> bool:
    """Run until SIGTERM/SIGINT; False when the app could not start (broker, port)."""
    server = build_server(settings)
    await server.serve()
    return server.started and not server.app_failed


def build_server(settings: Settings, observability: Observability | None = None) -> _Server:
    """The uvicorn server for ``build_asgi``; ``server.should_exit = True`` stops it."""
    config = uvicorn.Config(
        build_asgi(settings, observability=observability),
        host=settings.CLAIMSCRUB_HTTP_HOST,
        port=settings.CLAIMSCRUB_HTTP_PORT,
        lifespan="on",
        # Our logging configuration stays (uvicorn's records propagate to it), and probes
        # and scrapes every few seconds are not worth a line each.
        log_config=None,
        access_log=False,
    )
    logging.getLogger("uvicorn.error").addFilter(_drop_color_message)
    return _Server(config)


def _drop_color_message(record: logging.LogRecord) -> bool:
    """uvicorn adds an ANSI-coloured copy of some messages as an extra field: noise in a
    JSON line."""
    record.__dict__.pop("color_message", None)
    return True


class _Server(uvicorn.Server):
    """uvicorn with two changes for a worker.

    - FastStream's ASGI lifespan reports startup complete before the broker connects (so
      the endpoints answer meanwhile). If connecting fails, the lifespan ends in an error
      and uvicorn would go on serving a worker without a broker, live and never ready; it
      stops instead, and ``serve`` says the app failed (exit 1, for a restart).
    - uvicorn raises a caught SIGTERM/SIGINT again once it has shut down gracefully, so
      that the process dies by the signal; the worker exits 0 instead, as FastStream's own
      ``run`` does: the shutdown was the one asked for.
    """

    app_failed = False

    async def on_tick(self, counter: int) -> bool:
        if lifespan_failed(self):
            self.app_failed = True
            return True
        return await super().on_tick(counter)

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                forget_caught_signals(self)
