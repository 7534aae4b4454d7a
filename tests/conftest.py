"""Shared fixtures: a real Kafka broker for the integration tests, and the worker's log lines.

``kafka_bootstrap`` finds one in this order: ``KAFKA_BOOTSTRAP_SERVERS`` when set (a broker
you run), a testcontainers ``KafkaContainer`` when a Docker engine answers, else
``scripts/kafka-local`` (a local KRaft broker from Maven Central jars), which it stops at
the end only if it started it. There is no skip: without a broker the tests fail.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
import structlog

from claimscrub.workers.commands.kafka_admin import LocalBroker
from claimscrub.workers.settings import Settings
from tests.logs import CapturedLogs, capture_logs


def _docker_answers() -> bool:
    try:
        import docker  # noqa: PLC0415 (only needed to probe)

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    if address := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield address
        return
    if _docker_answers():
        from testcontainers.kafka import KafkaContainer  # noqa: PLC0415

        with KafkaContainer() as container:
            yield container.get_bootstrap_server()
        return
    local = LocalBroker()
    started_here = not local.running()
    address = local.start()
    try:
        yield address
    finally:
        if started_here:
            local.stop()


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    """``configure_logging`` binds the stream of the moment (pytest's capture of stderr,
    closed after the test); later tests must not write to it."""
    handlers = logging.getLogger().handlers[:]
    yield
    structlog.reset_defaults()
    logging.getLogger().handlers[:] = handlers


@pytest.fixture
def captured_logs() -> CapturedLogs:
    """The worker's log lines from INFO up, logged during the test (tests/logs.py)."""
    return capture_logs("INFO")


SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="session")
def make_settings(kafka_bootstrap: str) -> SettingsFactory:
    """Settings with topic and group names of their own, so tests never see each other's
    messages on a shared broker; keyword arguments override any other field."""
    return partial(isolated_settings, kafka_bootstrap)


def isolated_settings(bootstrap: str, **overrides: Any) -> Settings:
    suffix = uuid.uuid4().hex[:10]
    values: dict[str, Any] = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "CLAIMSCRUB_TOPIC_SUBMITTED": f"test-{suffix}.claims.submitted",
        "CLAIMSCRUB_TOPIC_PASS": f"test-{suffix}.claims.scrub.pass",
        "CLAIMSCRUB_TOPIC_FIX_SUGGESTED": f"test-{suffix}.claims.scrub.fix-suggested",
        "CLAIMSCRUB_TOPIC_HOLD": f"test-{suffix}.claims.scrub.hold",
        "CLAIMSCRUB_TOPIC_INVALID": f"test-{suffix}.claims.scrub.invalid",
        "CLAIMSCRUB_GROUP_ID": f"test-{suffix}",
        **overrides,
    }
    return Settings(**values)
