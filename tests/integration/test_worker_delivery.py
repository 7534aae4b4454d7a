"""Nothing lost, nothing stuck, no PHI: the worker against a real broker when input is bad,
the engine fails, or a delivery fails."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from datetime import datetime
from typing import Any

import orjson
import pytest
from aiokafka.errors import KafkaTimeoutError

from claimscrub.contracts import ClaimScrubbed, Submission
from claimscrub.scrubbers import default_engine
from claimscrub.workers.runtime.app import WorkerBroker
from claimscrub.workers.runtime.producer import Delivery
from tests.conftest import SettingsFactory
from tests.golden import golden_claims
from tests.integration.kafka_io import (
    Message,
    publish,
    read_results,
    running_worker,
    scrub_through_kafka,
    wait_for_commits,
)
from tests.logs import CapturedLogs

pytestmark = pytest.mark.integration

GOLDEN = golden_claims()
ONE_KEY = b"one-partition"  # every message on one partition: their order is the test's


def _claim(name: str) -> bytes:
    return orjson.dumps(GOLDEN[name])


async def test_malformed_messages_are_dead_lettered_and_the_worker_carries_on(
    make_settings: SettingsFactory,
) -> None:
    not_utf8 = b"\xff\xfe"
    malformed = [
        Message(b"{not json", ONE_KEY, [("content-type", b"application/json")]),
        Message(not_utf8, ONE_KEY, [("content-type", b"text/plain")]),
        Message(_claim("invalid-zero-units"), ONE_KEY),
        Message(None, ONE_KEY),  # a tombstone
    ]
    first, last = (
        Message(_claim("nat-medicare-clean"), ONE_KEY),
        Message(_claim("nat-crohns"), ONE_KEY),
    )

    run = await scrub_through_kafka(make_settings(), [first, *malformed, last])

    invalid_topic = run.settings.CLAIMSCRUB_TOPIC_INVALID
    dead = [r for r in run.results if r.topic == invalid_topic]
    assert [r.document["source"]["offset"] for r in dead] == [s.offset for s in run.sent[1:5]]
    assert all(r.key == ONE_KEY for r in dead)
    assert all(r.document["schema"] == "claim.invalid/v1" and r.document["errors"] for r in dead)
    assert [(r.document["raw"], r.document["raw_encoding"]) for r in dead] == [
        ("{not json", "utf-8"),
        (base64.b64encode(not_utf8).decode(), "base64"),
        (_claim("invalid-zero-units").decode(), "utf-8"),
        ("", "utf-8"),
    ]
    for sent in (run.sent[0], run.sent[-1]):
        (result,) = run.results_for(sent)
        assert result.document["schema"] == "claim.scrubbed/v1"
    assert len(run.results) == len(run.sent)
    assert run.committed == run.end


class FailsFor:
    """The real engine, except that it raises for one claim with PHI in the message."""

    def __init__(self, claim_id: str) -> None:
        self.claim_id = claim_id
        self.engine = default_engine()

    def scrub(self, submission: Submission, scrubbed_at: datetime) -> ClaimScrubbed:
        if submission.claim.claim_id == self.claim_id:
            patient = submission.document["patient"]
            raise ValueError(f"cannot scrub {patient['last_name']} {patient['member_id']}")
        return self.engine.scrub(submission, scrubbed_at=scrubbed_at)


async def test_an_engine_failure_is_dead_lettered_without_phi(
    make_settings: SettingsFactory, captured_logs: CapturedLogs
) -> None:
    poisoned = GOLDEN["nat-medicare-jz-missing"]
    messages = [
        Message(orjson.dumps(poisoned), ONE_KEY),
        Message(_claim("nat-medicare-clean"), ONE_KEY),
    ]

    run = await scrub_through_kafka(
        make_settings(), messages, engine=FailsFor(poisoned["claim_id"])
    )

    (dead,) = run.results_for(run.sent[0])
    assert dead.topic == run.settings.CLAIMSCRUB_TOPIC_INVALID
    assert dead.document["raw"].encode() == messages[0].value
    (error,) = dead.document["errors"]
    match = re.fullmatch(r"engine error: ValueError; trace id ([0-9a-f]{32})", error["message"])
    assert match, error
    assert error["path"] == ""
    (after,) = run.results_for(run.sent[1])
    assert after.document["outcome"] == "pass"

    (logged,) = captured_logs.events("engine_error")
    assert logged["trace_id"] == match.group(1)
    assert logged["claim_id"] == poisoned["claim_id"]
    phi = [poisoned["patient"][field] for field in ("first_name", "last_name", "member_id")]
    assert not [value for value in phi if value in captured_logs.text]


async def test_a_failed_publish_commits_nothing_and_the_batch_is_redone(
    make_settings: SettingsFactory,
) -> None:
    """The first result's delivery fails after the hand-over (as when the broker refuses
    it): nothing is committed until its batch has been redone. The rest of that batch did
    reach the broker, so it comes twice: at least once, not exactly once."""
    settings = make_settings(CLAIMSCRUB_RETRY_BACKOFF_INITIAL_S=0.2)
    messages = [Message(_claim(name), ONE_KEY) for name in ("nat-medicare-clean", "nat-crohns")]
    calls: list[str] = []

    async with running_worker(settings) as broker:
        assert isinstance(broker, WorkerBroker)
        real_send = broker.sender.send

        async def send_failing_once(topic: str, *args: Any) -> Delivery:
            calls.append(topic)
            if len(calls) == 1:
                refused: Delivery = asyncio.get_running_loop().create_future()
                refused.set_exception(KafkaTimeoutError())
                return refused
            return await real_send(topic, *args)

        broker.sender.send = send_failing_once  # type: ignore[method-assign]
        sent = await publish(settings, messages)
        results = await read_results(settings, expected=len(messages))
        committed, end = await wait_for_commits(settings)

    assert len(calls) > len(messages), "the failed batch was tried again"
    sources = [r.document["source_event_id"] for r in results]
    refused, *others = [json.loads(m.value or b"")["event_id"] for m in messages]
    assert sources.count(refused) == 1
    assert set(sources) == {refused, *others}
    assert committed == end
    assert sum(end.values()) == len(sent)


async def test_revisions_of_a_claim_keep_their_order_on_one_partition(
    make_settings: SettingsFactory,
) -> None:
    """Five revisions, in batches of two: their results share a partition, in order."""
    claim = GOLDEN["nat-medicare-clean"]
    revisions = [
        {**claim, "revision": revision, "event_id": f"{claim['event_id'][:-2]}{revision:02d}"}
        for revision in range(1, 6)
    ]
    messages = [Message(orjson.dumps(r), claim["claim_id"].encode()) for r in revisions]

    run = await scrub_through_kafka(make_settings(CLAIMSCRUB_BATCH_MAX_RECORDS=2), messages)

    assert len({(result.topic, result.partition) for result in run.results}) == 1
    ordered = sorted(run.results, key=lambda result: result.offset)
    assert [r.document["revision"] for r in ordered] == [1, 2, 3, 4, 5]
    assert all(r.key == claim["claim_id"].encode() for r in ordered)
