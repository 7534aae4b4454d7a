"""No PHI in any log line of a full run, whatever the claims and whatever goes wrong.

Everything the process writes to stdout and stderr is captured (structlog, FastStream,
aiokafka, prints) at DEBUG level, over a run with valid claims, contract violations that
put patient values where they do not belong, malformed bytes that quote them, a message
keyed by a member id, an engine that raises with the patient in its message, and a failed
publish whose error quotes the patient. None of the patient values may appear, and the
dead letters' error texts may not quote them either (their ``raw`` does: that topic is
PHI-bearing by design).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import orjson
import pytest
from aiokafka.errors import KafkaTimeoutError

from claimscrub.contracts import ClaimScrubbed, Submission
from claimscrub.scrubbers import default_engine
from claimscrub.workers.observability.logging import configure_logging
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.runtime.producer import Delivery
from tests.conftest import SettingsFactory
from tests.integration.kafka_io import ResultReader, create_topics, publish
from tests.integration.reliability.checks import assert_no_phi, check_delivery
from tests.integration.reliability.claims import (
    MEMBER_ID_PREFIX,
    PATIENT,
    PHI_MARKERS,
    Input,
    claim_stream,
)

pytestmark = pytest.mark.integration

MESSAGE_LIMIT = 50_000
PHI_TEXT = f"{PATIENT['first_name']} {PATIENT['last_name']} {MEMBER_ID_PREFIX}000777".encode()


class FailsWithPhi:
    """The real engine, except that it raises for every seventh claim, quoting the
    patient in the exception message (what a careless rule might do)."""

    def __init__(self) -> None:
        self.engine = default_engine()

    def scrub(self, submission: Submission, scrubbed_at: datetime) -> ClaimScrubbed:
        if int(submission.claim.claim_id.rsplit("-", 1)[1]) % 7 == 0:
            patient = submission.document["patient"]
            raise ValueError(
                f"cannot scrub {patient['first_name']} {patient['last_name']} "
                f"{patient['member_id']} born {patient['birth_date']}"
            )
        return self.engine.scrub(submission, scrubbed_at=scrubbed_at)


def _bad_claims(template: dict[str, Any]) -> list[Input]:
    """Contract violations and malformed bytes, each carrying the patient's values."""

    def invalid(claim: dict[str, Any]) -> Input:
        return Input(orjson.dumps(claim), b"bad", expected="invalid")

    patient = template["patient"]
    raw = orjson.dumps(template)
    return [
        invalid({**template, "patient": {**patient, "birth_date": PATIENT["first_name"]}}),
        invalid({**template, "patient": {**patient, "sex": PATIENT["last_name"]}}),
        invalid({**template, "patient": {**patient, "member_id": {"id": patient["member_id"]}}}),
        invalid({**template, "claim_type": PATIENT["birth_date"]}),
        invalid({**template, "patient": patient["member_id"]}),
        invalid({**template, "note": PATIENT["last_name"] * (MESSAGE_LIMIT // 5)}),
        invalid({**template, "extra": orjson.loads(b'{"a":' * 40 + raw + b"}" * 40)}),
        Input(raw[: len(raw) // 2], b"bad", expected="invalid"),
        Input(PHI_TEXT, b"bad", expected="invalid"),
        Input(b"\xff" + PHI_TEXT, f"{MEMBER_ID_PREFIX}000777".encode(), expected="invalid"),
    ]


async def test_a_full_run_logs_no_patient_data(
    make_settings: SettingsFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")  # stderr, captured by capfd with everything else
    settings = make_settings(
        CLAIMSCRUB_MAX_MESSAGE_BYTES=MESSAGE_LIMIT, CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S=0.05
    )
    await create_topics(settings)
    claims = claim_stream("phi", 300)
    template = orjson.loads(next(c for c in claims if c.expected != "invalid").value)
    inputs = [
        dataclasses.replace(c, expected="invalid")
        if c.claim_id and int(c.claim_id.rsplit("-", 1)[1]) % 7 == 0
        else c
        for c in claims
    ] + _bad_claims(template)

    async with ResultReader(settings) as reader, build_broker(settings, FailsWithPhi()) as broker:
        real_send = broker.sender.send
        failed: list[bool] = []

        async def send_failing_once(*args: Any) -> Delivery:
            if not failed:
                failed.append(True)
                raise KafkaTimeoutError(f"timed out sending {PHI_TEXT.decode()}")
            return await real_send(*args)

        broker.sender.send = send_failing_once  # type: ignore[method-assign]
        await broker.start()
        sent = await publish(settings, inputs)
        await reader.wait_for_all(sent, timeout_s=60, linger_s=0.5)

    check_delivery(settings, sent, reader.results)
    out, err = capfd.readouterr()
    logs = out + err
    for logged in ("claim_scrubbed", "claim_invalid", "engine_error", "batch_failed"):
        assert f'"{logged}"' in logs, f"{logged} was not logged: the capture missed the run?"
    assert_no_phi(logs, PHI_MARKERS)
    dead = [r for r in reader.results if r.topic == settings.CLAIMSCRUB_TOPIC_INVALID]
    assert_no_phi(orjson.dumps([r.document["errors"] for r in dead]).decode(), PHI_MARKERS)
