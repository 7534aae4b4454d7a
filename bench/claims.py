"""Claims to measure with: the golden mix, and a seeded generated mix around it."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import orjson

from claimscrub.workers.commands.claim_files import example_paths


def mix_claims(path: Path | None = None) -> list[dict[str, Any]]:
    """The claims to measure with: a JSON-lines file of claims or of worked cases (a line
    with a ``claim`` field, as ``tests/golden/cases.jsonl``; ``make bench`` passes that), or
    the packaged example claims when no file is given (an installed wheel has no tests)."""
    if path is None:
        return [json.loads(example.read_bytes()) for example in example_paths()]
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [line.get("claim", line) for line in lines]


def generated_claims(
    golden: list[dict[str, Any]], count: int, seed: int = 7
) -> list[dict[str, Any]]:
    """``golden`` claims with their modifiers, units, plan and place of service shuffled:
    the same shapes, in proportions no one chose by hand."""
    rng = random.Random(seed)
    plans = ["medicare", "medicare_advantage", "medicaid", "commercial"]
    claims = []
    for _ in range(count):
        claim = copy.deepcopy(rng.choice(golden))
        claim["payer"]["plan_type"] = rng.choice(plans)
        claim["place_of_service"] = rng.choice(["11", "11", "11", "19", "22", "12"])
        for line in claim["lines"]:
            line["modifiers"] = rng.choice([[], ["JZ"], ["JZ", "25"], ["JW"], line["modifiers"]])
            if rng.random() < 0.2:
                line["units"] = max(1, int(line["units"]) // 10)
        claims.append(claim)
    return claims


def as_messages(claims: list[dict[str, Any]], run: str) -> list[tuple[bytes, bytes]]:
    """(key, value) per claim, each with a unique event and claim id for this run."""
    messages = []
    for index, template in enumerate(claims):
        claim = dict(template)
        claim["event_id"] = f"{run}-{index}"
        claim["claim_id"] = f"B{index % 10_000_000:07d}-{run[:8]}"[:38]
        messages.append((claim["claim_id"].encode(), orjson.dumps(claim)))
    return messages
