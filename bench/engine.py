"""The engine alone on one core: decode, validate, scrub and serialize, as the worker does
(``workers.pipeline.route``), with no Kafka in the loop.

``without_rules`` is the same path with no check to run: what decoding, validating, building
and serializing a result cost by themselves, the ceiling for any rulebook on this machine."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson

from claimscrub.contracts import MessageSource
from claimscrub.scrubbers import Engine, default_engine
from claimscrub.workers.runtime.pipeline import route
from claimscrub.workers.settings import Settings

TOPICS = Settings().topics()


def without_rules() -> Engine:
    return Engine(default_engine().reference, checks=())


def claims_per_second(
    claims: list[dict[str, Any]], seconds: float, engine: Engine | None = None
) -> dict[str, float]:
    engine = engine or default_engine()
    raws = [orjson.dumps(claim) for claim in claims]
    source = MessageSource(topic="bench", partition=0, offset=0)
    for raw in raws:  # warm caches (ICD-10 index, reference lookups) outside the clock
        route(raw, source, engine, datetime.now(UTC), topics=TOPICS)
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for raw in raws:
            route(raw, source, engine, datetime.now(UTC), topics=TOPICS)
        done += len(raws)
    return {"claims_per_s": done / elapsed, "us_per_claim": elapsed / done * 1e6}
