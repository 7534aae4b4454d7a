"""The published contract documents are what the code generates, and name the topics the
worker really uses. When this fails after a model or topic change: ``claimscrub docs``
(``make docs``), review the diff of docs/, commit it."""

from __future__ import annotations

from typing import Any

import yaml

from workers import docs
from workers.app import build_broker
from workers.settings import Settings


def test_committed_documents_are_what_the_code_generates() -> None:
    assert docs.stale() == [], "stale documents: run `claimscrub docs` and commit docs/"


def test_generation_is_deterministic() -> None:
    assert docs.documents() == docs.documents()


def test_the_asyncapi_document_names_the_topics_the_worker_reads_and_writes() -> None:
    document: dict[str, Any] = yaml.safe_load((docs.DOCS / docs.ASYNCAPI).read_text())
    channels = document["channels"]
    by_action: dict[str, set[str]] = {"receive": set(), "send": set()}
    for operation in document["operations"].values():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        by_action[operation["action"]].add(channels[channel]["address"])

    defaults = Settings.model_construct()
    worker = build_broker(defaults)
    assert by_action["receive"] == {
        topic
        for subscriber in worker.subscribers
        for topic in subscriber.topic_names  # type: ignore[attr-defined]
    }
    assert by_action["send"] == set(defaults.result_topics())


def test_each_channel_carries_its_event_type() -> None:
    document: dict[str, Any] = yaml.safe_load((docs.DOCS / docs.ASYNCAPI).read_text())
    defaults = Settings.model_construct()
    expected = {
        defaults.CLAIMSCRUB_TOPIC_SUBMITTED: "ClaimSubmitted",
        **dict.fromkeys(defaults.outcome_topics().values(), "ClaimScrubbed"),
        defaults.CLAIMSCRUB_TOPIC_INVALID: "ClaimInvalid",
    }
    messages = document["components"]["messages"]
    payloads = {
        name.split(":")[0]: message["payload"]["$ref"].rsplit("/", 1)[1]
        for name, message in messages.items()
    }
    assert payloads == expected
