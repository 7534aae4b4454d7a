"""The operator's commands as an operator runs them: ``claimscrub`` processes configured
through the environment, against a real broker.

- ``run`` serves /healthz, /readyz and /metrics, scrubs what arrives, logs one line per
  claim on stderr, and exits 0 on SIGTERM;
- ``publish`` sends claim files to the submitted topic;
- ``tail`` prints the results that arrive, one PHI-free line each.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from claimscrub.workers.commands.claim_files import example_paths
from claimscrub.workers.settings import Settings
from tests.conftest import SettingsFactory
from tests.integration.cli import CLAIMSCRUB, command_env
from tests.integration.http import get, get_json, wait_for_status
from tests.integration.kafka_io import create_topics
from tests.ports import free_port

pytestmark = pytest.mark.integration

EXAMPLES = example_paths()


async def _claimscrub(
    settings: Settings, *args: str, timeout_s: float = 60.0
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(CLAIMSCRUB),
        *args,
        env=command_env(settings),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout_s)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def _submitted(settings: Settings, expected: int) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        settings.CLAIMSCRUB_TOPIC_SUBMITTED,
        bootstrap_servers=settings.KAFKA_BOOTSTRAP_SERVERS,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 30
        while len(found) < expected and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=250)).values():
                found.extend({"key": r.key, "value": r.value} for r in batch)
    finally:
        await consumer.stop()
    return found


async def test_run_serves_health_and_metrics_and_exits_0_on_sigterm(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    port = free_port()
    settings = make_settings(CLAIMSCRUB_HTTP_HOST="127.0.0.1", CLAIMSCRUB_HTTP_PORT=port)
    await create_topics(settings)
    stderr = (tmp_path / "worker.log").open("wb")
    worker = await asyncio.create_subprocess_exec(
        str(CLAIMSCRUB),
        "run",
        env=command_env(settings),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_for_status(f"{base}/healthz", 200, timeout_s=60)
        await wait_for_status(f"{base}/readyz", 200, timeout_s=60)
        code, out, _ = await _claimscrub(settings, "publish", *map(str, EXAMPLES))
        assert code == 0, out
        deadline = time.monotonic() + 60
        while b"claimscrub_claims_total" not in (body := (await get(f"{base}/metrics"))[1]) or (
            _claims_total(body.decode()) < len(EXAMPLES)
        ):
            assert time.monotonic() < deadline, "the claims were not counted in time"
            await asyncio.sleep(0.2)
        assert (await get_json(f"{base}/readyz"))[1]["ready"] is True
    finally:
        worker.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(worker.wait(), 60)
        stderr.close()
    assert returncode == 0
    lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()]
    events = [line["event"] for line in lines]
    assert events.count("claim_scrubbed") + events.count("claim_invalid") == len(EXAMPLES)
    assert "Application shutdown complete." in events
    # A normal start and the first claims log nothing at error level (aiokafka's "topic not
    # found" or "coordinator not available" included).
    assert [line for line in lines if line["level"] == "error"] == []


def _claims_total(text: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("claimscrub_claims_total{")
    )


async def test_publish_sends_every_claim_keyed_by_claim_id(
    make_settings: SettingsFactory,
) -> None:
    settings = make_settings()
    await create_topics(settings)

    code, out, err = await _claimscrub(settings, "publish", *map(str, EXAMPLES))

    assert code == 0, err
    assert f"published {len(EXAMPLES)} claim(s)" in out
    found = await _submitted(settings, len(EXAMPLES))
    assert sorted(record["value"] for record in found) == sorted(p.read_bytes() for p in EXAMPLES)
    for record in found:
        claim_id = orjson.loads(record["value"]).get("claim_id")
        assert record["key"] == (claim_id.encode() if isinstance(claim_id, str) else None)


async def test_tail_prints_one_phi_free_line_per_result(make_settings: SettingsFactory) -> None:
    settings = make_settings()
    await create_topics(settings)
    scrubbed = {
        "schema": "claim.scrubbed/v1",
        "claim_id": "CLM-TAIL-1",
        "revision": 2,
        "outcome": "hold",
        "findings": [{"rule": "AUTH.MISSING", "severity": "hold"}],
    }
    invalid = {
        "schema": "claim.invalid/v1",
        "source": {"topic": "claims.submitted", "partition": 1, "offset": 42},
        "errors": [{"path": "lines.0.units", "message": "Input should be greater than 0"}],
        "raw": '{"patient": {"last_name": "Diaz"}}',
    }
    producer = AIOKafkaProducer(bootstrap_servers=settings.KAFKA_BOOTSTRAP_SERVERS)
    await producer.start()
    try:
        await producer.send_and_wait(settings.CLAIMSCRUB_TOPIC_HOLD, orjson.dumps(scrubbed))
        await producer.send_and_wait(settings.CLAIMSCRUB_TOPIC_INVALID, orjson.dumps(invalid))
    finally:
        await producer.stop()

    code, out, err = await _claimscrub(
        settings, "tail", "results", "--from-beginning", "--max", "2"
    )

    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    (hold,) = [line for line in lines if settings.CLAIMSCRUB_TOPIC_HOLD in line]
    assert "CLM-TAIL-1 r2 hold AUTH.MISSING" in hold
    (dead,) = [line for line in lines if settings.CLAIMSCRUB_TOPIC_INVALID in line]
    assert "claims.submitted 1@42: lines.0.units: Input should be greater than 0" in dead
    assert "Diaz" not in out
    assert "from the beginning" in err


async def test_tail_starts_at_the_end_by_default(make_settings: SettingsFactory) -> None:
    settings = make_settings()
    await create_topics(settings)
    old = {"schema": "claim.scrubbed/v1", "claim_id": "OLD", "revision": 1, "outcome": "pass"}
    new = {**old, "claim_id": "NEW"}
    producer = AIOKafkaProducer(bootstrap_servers=settings.KAFKA_BOOTSTRAP_SERVERS)
    await producer.start()
    try:
        await producer.send_and_wait(settings.CLAIMSCRUB_TOPIC_PASS, orjson.dumps(old))
        tail = await asyncio.create_subprocess_exec(
            str(CLAIMSCRUB),
            "tail",
            "pass",
            "--max",
            "1",
            env=command_env(settings),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert tail.stderr is not None
        banner = await asyncio.wait_for(tail.stderr.readline(), 30)
        assert b"from the end" in banner
        await producer.send_and_wait(settings.CLAIMSCRUB_TOPIC_PASS, orjson.dumps(new))
        out, _ = await asyncio.wait_for(tail.communicate(), 30)
    finally:
        await producer.stop()
    assert tail.returncode == 0
    (line,) = out.decode().splitlines()
    assert "NEW r1 pass" in line


async def test_run_and_publish_refuse_missing_topics_in_one_line(
    make_settings: SettingsFactory,
) -> None:
    """Neither creates a topic (not even on a broker that auto-creates them on a metadata
    request): each says which topic is missing and which setting names it, and exits 1."""
    settings = make_settings(CLAIMSCRUB_HTTP_HOST="127.0.0.1", CLAIMSCRUB_HTTP_PORT=free_port())
    submitted = settings.CLAIMSCRUB_TOPIC_SUBMITTED

    code, out, err = await _claimscrub(settings, "publish", str(EXAMPLES[0]))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"claimscrub publish: topic not found on {settings.KAFKA_BOOTSTRAP_SERVERS}: "
        f"{submitted} (CLAIMSCRUB_TOPIC_SUBMITTED); create it first "
        "(on a dev broker: claimscrub topics --create)"
    ]

    code, out, err = await _claimscrub(settings, "run")
    assert (code, out) == (1, "")
    (line,) = err.splitlines()
    assert line.startswith(
        f"claimscrub run: topics not found on {settings.KAFKA_BOOTSTRAP_SERVERS}: "
    )
    assert f"{settings.CLAIMSCRUB_TOPIC_PASS} (CLAIMSCRUB_TOPIC_PASS)" in line

    code, out, _ = await _claimscrub(settings, "topics")
    assert code == 1
    assert all(" missing " in line for line in out.splitlines()), out

    # The dev broker's way out, as the README has it.
    code, out, err = await _claimscrub(settings, "topics", "--create")
    assert code == 0, err
    assert len(out.splitlines()) == 5
    assert " missing " not in out
    code, out, err = await _claimscrub(settings, "publish", str(EXAMPLES[0]))
    assert (code, err) == (0, "")
