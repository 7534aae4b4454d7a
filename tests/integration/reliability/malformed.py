"""Hypothesis strategies for messages that must never be scrubbed: each is invalid by
construction (random bytes, truncated JSON, a required field of the wrong type or gone,
a string over its length limit, deep nesting, a message over the size limit), so every
one of them has to come back as a dead letter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from hypothesis import strategies as st

from tests.integration.reliability.claims import GOLDEN

VALID = [case["claim"] for case in GOLDEN if case["expect"]["outcome"] != "invalid"]
REQUIRED = (
    "schema",
    "event_id",
    "claim_id",
    "revision",
    "submitted_at",
    "claim_type",
    "payer",
    "patient",
    "billing_provider",
    "place_of_service",
    "diagnoses",
    "lines",
)
NESTING_LIMIT = 32  # contracts.decode.MAX_NESTING


@dataclass(frozen=True)
class Malformed:
    kind: str
    value: bytes
    key: bytes | None


# JSON numbers orjson can write (64-bit).
INTEGERS = st.integers(-(2**63), 2**63 - 1)


def _wrong_values() -> dict[str, st.SearchStrategy[Any]]:
    """For some required fields, values the contract must refuse."""
    not_a_string = st.one_of(INTEGERS, st.lists(INTEGERS, max_size=3), st.booleans())
    return {
        "schema": st.text(max_size=30).filter(lambda s: s != "claim.submitted/v1"),
        "event_id": st.one_of(st.just(""), not_a_string),
        "claim_id": st.one_of(st.just(""), st.text(min_size=39, max_size=80), not_a_string),
        "revision": st.one_of(st.integers(-(2**63), 0), st.text(max_size=5), st.floats()),
        # RFC 3339 with an offset needs 20+ characters.
        "submitted_at": st.one_of(st.text(max_size=19), not_a_string),
        "claim_type": st.sampled_from(["institutional", "", "PROFESSIONAL", 7]),
        "patient": st.one_of(st.text(max_size=10), st.lists(INTEGERS, max_size=3)),
        "lines": st.one_of(st.just([]), st.text(max_size=5), st.dictionaries(st.text(), INTEGERS)),
        "diagnoses": st.one_of(st.just([]), st.lists(st.just("G35"), min_size=13, max_size=20)),
    }


def _bad_field() -> st.SearchStrategy[dict[str, Any]]:
    wrong = _wrong_values()
    return st.sampled_from(VALID).flatmap(
        lambda claim: st.sampled_from(sorted(wrong)).flatmap(
            lambda field: wrong[field].map(lambda value: {**claim, field: value})
        )
    )


def _missing_field() -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(st.sampled_from(VALID), st.sampled_from(REQUIRED)).map(
        lambda pair: {k: v for k, v in pair[0].items() if k != pair[1]}
    )


def _truncated() -> st.SearchStrategy[bytes]:
    return (
        st.sampled_from(VALID)
        .map(orjson.dumps)
        .flatmap(lambda raw: st.integers(0, len(raw) - 1).map(lambda cut: raw[:cut]))
    )


def _deep() -> st.SearchStrategy[bytes]:
    """Nesting past the limit, bare or inside an otherwise valid claim (unknown field)."""
    depth = st.integers(NESTING_LIMIT + 1, 20_000)
    bare = depth.map(lambda n: b"[" * n + b"]" * n)
    inside = st.tuples(st.sampled_from(VALID), st.integers(NESTING_LIMIT, 2_000)).map(
        lambda pair: orjson.dumps({**pair[0], "extra": None}).replace(
            b'"extra":null', b'"extra":' + b'{"a":' * pair[1] + b"1" + b"}" * pair[1]
        )
    )
    return st.one_of(bare, inside)


def _oversized(limit: int) -> st.SearchStrategy[bytes]:
    """A valid claim padded with an unknown field to just over ``limit`` bytes or more."""
    return st.tuples(st.sampled_from(VALID), st.integers(limit + 1, 3 * limit)).map(
        lambda pair: orjson.dumps({**pair[0], "note": "x" * pair[1]})
    )


KINDS = (
    "random bytes",
    "truncated json",
    "wrong type",
    "missing field",
    "deep nesting",
    "oversized",
    "huge string",
)


def malformed(message_limit: int) -> st.SearchStrategy[Malformed]:
    kinds: dict[str, st.SearchStrategy[bytes]] = {
        "random bytes": st.binary(max_size=2_000),
        "truncated json": _truncated(),
        "wrong type": _bad_field().map(orjson.dumps),
        "missing field": _missing_field().map(orjson.dumps),
        "deep nesting": _deep(),
        "oversized": _oversized(message_limit),
        "huge string": st.text(min_size=1, max_size=5).map(lambda s: orjson.dumps(s * 40_000)),
    }
    assert set(kinds) == set(KINDS)
    keys = st.one_of(st.none(), st.binary(min_size=1, max_size=40))
    return st.sampled_from(KINDS).flatmap(
        lambda kind: st.tuples(kinds[kind], keys).map(lambda pair: Malformed(kind, *pair))
    )
