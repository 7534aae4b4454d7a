"""Every worked case in cases.jsonl (copied from shared/golden), run through the engine.

A case passes when: the outcome is the expected one; every expected rule is among the
non-info findings and every expected info rule among the info findings; no forbidden rule
is among the non-info findings; each JSON Pointer into ``corrected_claim``
has the expected value; ``patch`` is non-empty when asked; and scrubbing the corrected
claim again gives no ``fix`` finding.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jsonpatch
import jsonpointer
import pytest

from claimscrub.contracts import ClaimScrubbed, Submission, validate_claim
from claimscrub.scrubbers import default_engine
from tests.golden import golden_cases

CASES = golden_cases()
NOW = datetime(2026, 11, 3, 14, 5, tzinfo=UTC)


def scrub(document: dict[str, Any]) -> ClaimScrubbed | None:
    checked = validate_claim(document)
    if not isinstance(checked, Submission):
        return None
    return default_engine().scrub(checked, NOW)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    result = scrub(case["claim"])
    if expect["outcome"] == "invalid":
        assert result is None, "the contract must reject this claim"
        return
    assert result is not None, "the contract rejected a valid claim"
    rules = [f"{f.rule}/{f.severity}/line {f.line}" for f in result.findings]
    assert result.outcome == expect["outcome"], rules
    reported = {f.rule for f in result.findings if f.severity != "info"}
    informed = {f.rule for f in result.findings if f.severity == "info"}
    assert set(expect.get("rules", [])) <= reported, rules
    assert set(expect.get("info", [])) <= informed, rules
    assert not set(expect.get("forbid", [])) & reported, rules
    for pointer, value in expect.get("corrected", {}).items():
        assert result.corrected_claim is not None, rules
        assert jsonpointer.resolve_pointer(result.corrected_claim, pointer) == value, pointer
    if expect.get("patch"):
        assert result.patch, "patch must be non-empty"
    if result.corrected_claim is not None:
        assert result.patch is not None
        patched = jsonpatch.apply_patch(case["claim"], result.patch)
        assert patched == result.corrected_claim
        again = scrub(result.corrected_claim)
        assert again is not None
        assert [f.rule for f in again.findings if f.severity == "fix"] == []
