"""``claimscrub demo`` pointed at a broker (``KAFKA_BOOTSTRAP_SERVERS``): the examples
through the real worker, one line each, on topics and a consumer group of the demo's
own, which it deletes; the deployment's names (``claims.submitted``, ``claims.scrub.*``,
group ``claimscrub``) are never touched."""

from __future__ import annotations

import asyncio
import os
import re
import time

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from claimscrub.workers.commands.claim_files import example_paths
from claimscrub.workers.settings import Settings
from tests.integration.cli import CLAIMSCRUB

pytestmark = pytest.mark.integration

DEFAULTS = Settings.model_construct()
DEFAULT_TOPICS = {DEFAULTS.CLAIMSCRUB_TOPIC_SUBMITTED, *DEFAULTS.topics().results}


async def _topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def _groups(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {group for group, _ in await admin.list_consumer_groups()}
    finally:
        await admin.close()


async def _end_offsets(bootstrap: str, topics: set[str]) -> dict[TopicPartition, int]:
    """Where the default-named topics end that exist on this broker (if another user of
    a shared broker made them): the demo must not have written to them."""
    if not topics:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in consumer.partitions_for_topic(topic) or ()
        ]
        return dict(await consumer.end_offsets(partitions)) if partitions else {}
    finally:
        await consumer.stop()


async def test_the_demo_runs_on_topics_of_its_own_and_deletes_them(
    kafka_bootstrap: str,
) -> None:
    before = await _topics(kafka_bootstrap)
    defaults_before = before & DEFAULT_TOPICS
    groups_before = await _groups(kafka_bootstrap)
    offsets_before = await _end_offsets(kafka_bootstrap, defaults_before)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "CLAIMSCRUB_"))}
    process = await asyncio.create_subprocess_exec(
        str(CLAIMSCRUB),
        "demo",
        env={**env, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "COLUMNS": "200"},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out_bytes, err_bytes = await asyncio.wait_for(process.communicate(), 120)
    out, err = out_bytes.decode(), err_bytes.decode()

    assert process.returncode == 0, out + err
    lines = out.splitlines()
    for path in example_paths():
        claim_id = orjson.loads(path.read_bytes())["claim_id"]
        assert len([line for line in lines if line.startswith(f"{claim_id} ")]) == 1, out
    match = re.search(r"under (claimscrub-demo\.[0-9a-f]{8})\.", out)
    assert match is not None, out
    prefix = match.group(1)
    assert f"deleted the demo's topics ({prefix}.*)" in out

    # Nothing under the deployment's names: no topic created, none written to, no group.
    after = await _topics(kafka_bootstrap)
    assert after & DEFAULT_TOPICS == defaults_before
    assert await _end_offsets(kafka_bootstrap, defaults_before) == offsets_before
    new_groups = await _groups(kafka_bootstrap) - groups_before
    assert DEFAULTS.CLAIMSCRUB_GROUP_ID not in new_groups
    # The demo's own topics are gone (deletion is asynchronous on the broker's side).
    deadline = time.monotonic() + 30
    while left := {topic for topic in after if topic.startswith(f"{prefix}.")}:
        assert time.monotonic() < deadline, f"the demo left {sorted(left)}"
        await asyncio.sleep(0.5)
        after = await _topics(kafka_bootstrap)
