"""The worked cases (``cases.jsonl``, copied from the shared golden set): the one loader.

Each call parses the file again, so a test may change what it gets without touching
another test's copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES_PATH = Path(__file__).parent / "cases.jsonl"


def golden_cases() -> list[dict[str, Any]]:
    """Every case: ``name``, ``claim`` and ``expect``, in file order."""
    return [json.loads(line) for line in CASES_PATH.read_text().splitlines() if line.strip()]


def golden_claims() -> dict[str, dict[str, Any]]:
    """Each case's claim by case name."""
    return {case["name"]: case["claim"] for case in golden_cases()}
