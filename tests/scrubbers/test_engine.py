"""The engine loop: fix order, dropped fixes, the fixpoint bound, deterministic ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claimscrub.scrubbers import FixBrokeContract
from claimscrub.scrubbers.context import ClaimContext
from claimscrub.scrubbers.engine import MAX_ROUNDS, Engine
from claimscrub.scrubbers.findings import Flag, RemoveLine, SetLineFields
from claimscrub.scrubbers.rulebook import default_engine
from tests.claims import NOW, claim, line, submission


def engine_with(*checks: object) -> Engine:
    return Engine(default_engine().reference, checks)  # type: ignore[arg-type]


def test_fix_whose_target_is_gone_is_dropped_and_not_reported() -> None:
    def check(ctx: ClaimContext) -> Iterator[Flag]:
        if len(ctx.claim.lines) == 2:
            yield ctx.flag("UNITS.WASTE_MISMATCH", 2, "remove", fix=RemoveLine(2))
            yield ctx.flag("MOD.DUPLICATE", 2, "edit the removed line", fix=RemoveLine(2))

    result = engine_with(check).scrub(submission(claim(line(), line(2))), NOW)
    assert [f.rule for f in result.findings] == ["UNITS.WASTE_MISMATCH"]
    assert result.patch == [{"op": "remove", "path": "/lines/1"}]


def test_endless_fixes_stop_with_a_hold() -> None:
    def check(ctx: ClaimContext) -> Iterator[Flag]:
        units = ctx.claim.lines[0].units
        yield ctx.flag(
            "UNITS.DOSE_MISMATCH", 1, "again", fix=SetLineFields(1, {"units": units + 1})
        )

    result = engine_with(check).scrub(submission(claim()), NOW)
    assert result.outcome == "hold"
    assert "ENGINE.NO_FIXPOINT" in [f.rule for f in result.findings]
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["units"] == 300 + MAX_ROUNDS


def test_fix_that_breaks_the_contract_is_a_bug_not_a_result() -> None:
    def check(ctx: ClaimContext) -> Iterator[Flag]:
        yield ctx.flag("UNITS.DOSE_MISMATCH", 1, "zero", fix=SetLineFields(1, {"units": 0}))

    document = claim()
    with pytest.raises(FixBrokeContract, match=document["claim_id"]):
        engine_with(check).scrub(submission(document), NOW)


def test_result_id_is_derived_from_the_source_event_and_ruleset() -> None:
    engine = default_engine()
    first = engine.scrub(submission(claim(line(modifiers=[]))), NOW)
    again = engine.scrub(submission(claim(line(modifiers=[]))), NOW.replace(hour=20))
    other = engine.scrub(submission(claim(event_id="another")), NOW)
    assert first.event_id == again.event_id
    assert first.model_dump(exclude={"scrubbed_at"}) == again.model_dump(exclude={"scrubbed_at"})
    assert other.event_id != first.event_id


def test_unknown_fields_survive_into_the_corrected_claim() -> None:
    document = claim(line(modifiers=[]), x_pm_batch="B-17")
    document["lines"][0]["x_line_note"] = "kept"
    result = default_engine().scrub(submission(document), NOW)
    assert result.corrected_claim is not None
    assert result.corrected_claim["x_pm_batch"] == "B-17"
    assert result.corrected_claim["lines"][0]["x_line_note"] == "kept"
    assert all(op["path"].startswith("/lines/0/modifiers") for op in result.patch or [])
