"""The contract and the rules as documents, generated from the code: ``docs/asyncapi.yaml``,
``docs/schemas/<event>.json`` and ``docs/rules.md``.

``claimscrub docs`` (``make docs``) writes them; ``claimscrub docs --check`` and
``tests/workers/commands/test_docs.py`` fail while the committed files differ from what this
module generates, so a model, topic or rule catalog change cannot ship with stale documents.

The AsyncAPI document is FastStream's (``AsyncAPI(...).to_specification()``, what
``faststream docs gen --yaml`` writes), for a broker declared here with the worker's
topics and the contract's models. It is not the running worker's own broker: that one's
handler takes raw batches of bytes (so that a malformed message becomes a dead letter,
not a decode error) and publishes through ``broker.publish``, which would document an
empty payload and no output topics. A test checks that both name the same topics.

``docs/rules.md`` is the rule catalog (``scrubbers/data/rules.toml``) the engine reports
from, in its order. It names the catalog's version, not the full ``ruleset``: that one ends in
a digest of every reference data file, and would make the page stale at every data edit.

Output is deterministic: topic names are the defaults (never the environment), FastStream's
channels, operations and components are sorted (it keeps them in sets), and nothing holds
a time or a version of a tool.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from claimscrub.contracts import ClaimInvalid, ClaimScrubbed, ClaimSubmitted
from claimscrub.contracts.schemas import json_schemas
from claimscrub.scrubbers.reference import Catalog, load_reference
from claimscrub.workers.settings import Settings

# Relative to where the command runs: the checkout's root for `make docs` (an installed
# wheel has no docs folder of its own; `claimscrub docs --dir` names one).
DOCS = Path("docs")
ASYNCAPI = "asyncapi.yaml"
RULES = "rules.md"

_KEYED = "Keyed by `claim_id`, so every revision of a claim stays in order on one partition."
_HEADERS = (
    "Headers: `content-type: application/json` and a W3C `traceparent` whose trace id is "
    "the `trace_id` of the worker's log line for the message (`claim_scrubbed` or "
    "`claim_invalid`): the producer's own trace when the submitted message carried a "
    "`traceparent`."
)


def documentation_broker(settings: Settings) -> KafkaBroker:
    """The worker's topics and event types, declared for the specification only."""
    topics = settings.topics()
    broker = KafkaBroker(
        settings.KAFKA_BOOTSTRAP_SERVERS,
        description="The Kafka cluster: `KAFKA_BOOTSTRAP_SERVERS` (and `KAFKA_SECURITY_*`).",
    )

    @broker.subscriber(
        topics.submitted,
        group_id=settings.CLAIMSCRUB_GROUP_ID,
        title=topics.submitted,
        description=(
            "Claims from practice-management systems, one `claim.submitted/v1` JSON "
            f"document per message. {_KEYED} The worker publishes exactly one result per "
            "message (at least once; duplicates carry the same `event_id`). A message "
            "that is not valid JSON or breaks the contract is not lost: it becomes a "
            "`claim.invalid/v1` dead letter."
        ),
    )
    async def scrub(claim: ClaimSubmitted) -> None:
        """Validate and scrub a submitted claim; publish one result."""

    outcomes = (
        (
            topics.passed,
            "No `fix` or `hold` finding: ready for the billing queue.",
        ),
        (
            topics.fix_suggested,
            "Fixes suggested: `corrected_claim` is the claim with every fix applied and "
            "`patch` the RFC 6902 JSON Patch from the submitted claim to it.",
        ),
        (
            topics.hold,
            "A person has to look at the claim (any `hold` finding); `corrected_claim` "
            "and `patch` are there when fixes were also found.",
        ),
    )
    for topic, meaning in outcomes:
        broker.publisher(
            topic,
            title=topic,
            description=f"`claim.scrubbed/v1` results. {meaning} {_KEYED} {_HEADERS}",
            schema=ClaimScrubbed,
        )
    broker.publisher(
        topics.invalid,
        title=topics.invalid,
        description=(
            "`claim.invalid/v1` dead letters for operations: the original message (as "
            "text, or base64), where it was read, and why it was refused. Keyed by the "
            "original message's key. Carries the raw claim, so it holds PHI. " + _HEADERS
        ),
        schema=ClaimInvalid,
    )
    return broker


def asyncapi_yaml(settings: Settings | None = None) -> str:
    """The AsyncAPI 3.0 document for ``settings`` (default: the contract's topic names)."""
    settings = settings or Settings.model_construct()
    spec = AsyncAPI(
        documentation_broker(settings),
        title="claimscrub",
        version="1.0.0",
        description=(
            "Claim scrubbing for physician-administered drug claims: `claim.submitted/v1` "
            "in, one `claim.scrubbed/v1` or `claim.invalid/v1` out per message. Topic "
            "names are the defaults; each is configurable (`CLAIMSCRUB_TOPIC_*`)."
        ),
    ).to_specification()
    document = _sorted(spec.to_jsonable())
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text


_SEVERITIES = (
    "Severities: `fix`: the engine corrects the claim (outcome `fix_suggested`, with "
    "`corrected_claim` and `patch`); `hold`: a person must act (outcome `hold`); `info`: worth "
    "knowing, no effect on the outcome; `fix/hold`: a fix when the correction is certain, "
    "else a hold; `hold/info`: a hold, or info where the data may be older than the claim. "
    "A `fix` rule may also report a hold where its column says so."
)


def rules_markdown(catalog: Catalog | None = None) -> str:
    """``docs/rules.md``: every rule of ``catalog`` (default: the engine's) in catalog order,
    which is also the order fixes are applied in."""
    catalog = catalog or load_reference().catalog
    rows = [
        f"| `{info.id}` | {info.severity} | {_cell(info.summary)} | "
        f"{_cell(info.fix) if info.fix else '—'} | {_cell(info.reference)} |"
        for info in catalog.rule
    ]
    return "\n".join(
        [
            "# Scrubbing rules",
            "",
            "*Generated from `scrubbers/data/rules.toml` by `claimscrub docs` (`make docs`): "
            "do not edit by hand.*",
            "",
            f"Rule catalog version `{catalog.version}`: {len(catalog.rule)} rules, in the order "
            "the engine applies their fixes. Every finding's `rule` is one of these ids, and its "
            "`reference` the policy named here. A result's `ruleset` is this version, `+`, the "
            "quarter of each loaded CMS table and the first 8 hex digits of a SHA-256 over all "
            "reference data (`scrubbers/data/` and the CMS bundle), so it changes with any rule "
            "or data change ([contract](contract.md#ruleset-and-event-ids)).",
            "",
            _SEVERITIES,
            "",
            "| rule | severity | fires when | fix | policy reference |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def _cell(text: str) -> str:
    """``text`` inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def documents() -> dict[str, str]:
    """Every generated document by its path under ``docs/``."""
    files = {ASYNCAPI: asyncapi_yaml(), RULES: rules_markdown()}
    for name, schema in json_schemas().items():
        files[f"schemas/{name}.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return files


def stale(root: Path = DOCS) -> list[str]:
    """Paths under ``root`` whose content differs from what the code generates."""
    return [
        path
        for path, text in documents().items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]


def write(root: Path = DOCS) -> list[str]:
    """(Re)write the stale documents under ``root``; returns their paths."""
    changed = stale(root)
    generated = documents()
    for path in changed:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(generated[path], encoding="utf-8")
    return changed


def _sorted(document: dict[str, Any]) -> dict[str, Any]:
    """FastStream's document with its name-keyed maps in name order."""
    for key in ("channels", "operations"):
        if key in document:
            document[key] = dict(sorted(document[key].items()))
    components = document.get("components", {})
    for key in ("messages", "schemas"):
        if key in components:
            components[key] = dict(sorted(components[key].items()))
    return document
