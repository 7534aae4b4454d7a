"""The published contract documents are what the code generates, and name the topics the
worker really uses; docs/rules.md is the rule catalog. When this fails after a model, topic
or rule catalog change: ``claimscrub docs`` (``make docs``), review the diff of docs/, commit
it."""

from __future__ import annotations

from typing import Any

import yaml

from claimscrub.scrubbers.reference import load_reference
from claimscrub.workers.commands import docs
from claimscrub.workers.runtime.app import build_broker
from claimscrub.workers.settings import Settings


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
    assert by_action["send"] == set(defaults.topics().results)


def test_each_channel_carries_its_event_type() -> None:
    document: dict[str, Any] = yaml.safe_load((docs.DOCS / docs.ASYNCAPI).read_text())
    defaults = Settings.model_construct()
    expected = {
        defaults.CLAIMSCRUB_TOPIC_SUBMITTED: "ClaimSubmitted",
        **dict.fromkeys(defaults.topics().outcomes.values(), "ClaimScrubbed"),
        defaults.CLAIMSCRUB_TOPIC_INVALID: "ClaimInvalid",
    }
    messages = document["components"]["messages"]
    payloads = {
        name.split(":")[0]: message["payload"]["$ref"].rsplit("/", 1)[1]
        for name, message in messages.items()
    }
    assert payloads == expected


def _readme_settings() -> dict[str, str]:
    """The README's configuration table: variable -> default as written (— for none)."""
    readme = (docs.DOCS.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `")]
    return {name.strip().strip("`"): default.strip().strip("`") for name, default in rows}


def _as_written(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_readme_names_every_setting_with_its_default() -> None:
    expected = {
        name: _as_written(field.get_default(call_default_factory=True))
        for name, field in Settings.model_fields.items()
    }
    assert _readme_settings() == expected


def test_the_rules_page_lists_every_rule_in_catalog_order() -> None:
    reference = load_reference()
    catalog = reference.catalog
    page = docs.rules_markdown(catalog)
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [info.id for info in catalog.rule]
    for info, row in zip(catalog.rule, rows, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[1:] == [
            info.severity,
            " ".join(info.summary.split()),
            " ".join(info.fix.split()) if info.fix else "—",
            " ".join(info.reference.split()),
        ]


def test_the_rules_page_names_the_catalog_version_not_the_data_digest() -> None:
    reference = load_reference()
    page = docs.rules_markdown(reference.catalog)
    assert f"version `{reference.catalog.version}`" in page
    assert reference.ruleset not in page
    assert "do not edit" in page.splitlines()[2]


def test_every_rule_that_fixes_says_what_its_fix_does() -> None:
    for info in load_reference().catalog.rule:
        fixes = info.severity in ("fix", "fix/hold")
        assert (info.fix is not None) == fixes, info.id
