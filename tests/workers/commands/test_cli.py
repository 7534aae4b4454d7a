"""``claimscrub scrub``: one result line per input claim, in input order; exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import orjson
import pytest
from aiokafka import ConsumerRecord
from rich.text import Text

from claimscrub.scrubbers import default_engine
from claimscrub.workers.commands.cli import main
from claimscrub.workers.commands.tail import describe, resolve_topics
from claimscrub.workers.settings import Settings
from tests.golden import golden_cases

GOLDEN = golden_cases()


def _results(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_scrub_writes_one_result_per_claim_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "golden.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(case["claim"]) for case in GOLDEN))

    assert main(["scrub", str(path)]) == 0

    results = _results(capsys)
    assert len(results) == len(GOLDEN)
    for index, (case, result) in enumerate(zip(GOLDEN, results, strict=True)):
        if case["expect"]["outcome"] == "invalid":
            assert result["schema"] == "claim.invalid/v1"
            assert result["source"] == {
                "topic": f"file:{path}",
                "partition": None,
                "offset": index,
                "key": None,
            }
        else:
            assert result["source_event_id"] == case["claim"]["event_id"]


def test_scrub_reads_json_or_json_lines_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = [GOLDEN[0]["claim"], GOLDEN[1]["claim"]]
    for data in (orjson.dumps(claims), b"\n".join(map(orjson.dumps, claims)) + b"\n{oops\n"):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert main(["scrub", "-"]) == 0
        results = _results(capsys)
        assert [r.get("source_event_id") for r in results[:2]] == [c["event_id"] for c in claims]
    assert results[2]["schema"] == "claim.invalid/v1"


def test_scrub_pretty_prints_a_table_per_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = next(c for c in GOLDEN if c["name"] == "nat-medicare-jz-missing")
    path = tmp_path / "claim.json"
    path.write_bytes(orjson.dumps(case["claim"]))

    assert main(["scrub", str(path), "--pretty"]) == 0

    out = capsys.readouterr().out
    assert case["claim"]["claim_id"] in out
    assert "rule" in out


def test_scrub_of_a_missing_file_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scrub", str(tmp_path / "absent.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_rules_lists_every_rule_of_the_engines_catalog(
    capsys: pytest.CaptureFixture[str],
) -> None:
    catalog = default_engine().reference.catalog

    assert main(["rules", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed == [info.model_dump() for info in catalog.rule]

    assert main(["rules"]) == 0
    table = capsys.readouterr().out
    assert all(info.id in table for info in catalog.rule)
    assert default_engine().ruleset in table


def test_docs_check_passes_on_the_committed_documents_and_fails_on_stale_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["docs", "--check"]) == 0

    assert main(["docs", "--check", "--dir", str(tmp_path)]) == 1
    assert f"stale: {tmp_path / 'asyncapi.yaml'}" in capsys.readouterr().err
    assert main(["docs", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "schemas" / "claim.submitted.v1.json").is_file()
    assert main(["docs", "--check", "--dir", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {
                "schema": "claim.scrubbed/v1",
                "claim_id": "C-1",
                "revision": 3,
                "outcome": "fix_suggested",
                "findings": [{"rule": "MOD.JZ_MISSING"}, {"rule": "UNITS.DOSE_MISMATCH"}],
            },
            "C-1 r3 fix_suggested MOD.JZ_MISSING, UNITS.DOSE_MISMATCH",
        ),
        (
            {
                "schema": "claim.scrubbed/v1",
                "claim_id": "C-2",
                "revision": 1,
                "outcome": "pass",
                "findings": [],
            },
            "C-2 r1 pass -",
        ),
        (
            {
                "schema": "claim.invalid/v1",
                "errors": [{"path": "", "message": "not UTF-8 JSON"}],
                "source": {"topic": "in", "partition": 0, "offset": 5},
                "raw": '{"patient": {"last_name": "Diaz"}}',
            },
            "invalid in 0@5: <message>: not UTF-8 JSON",
        ),
        (
            {
                "schema": "claim.submitted/v1",
                "claim_id": "C-3",
                "revision": 2,
                "event_id": "e-1",
                "lines": [{}, {}],
                "patient": {"last_name": "Diaz"},
            },
            "C-3 r2 submitted, 2 line(s), event e-1",
        ),
    ],
)
def test_tail_describes_an_event_without_its_claim_data(
    value: dict[str, object], expected: str
) -> None:
    record = ConsumerRecord("topic-a", 1, 9, 0, 0, None, orjson.dumps(value), None, 0, 0, [])
    line = Text.from_markup(describe(record)).plain
    assert line.endswith(f"topic-a 1@9 {expected}")
    assert "Diaz" not in line


def test_tail_describes_bytes_that_are_not_json() -> None:
    record = ConsumerRecord("t", 0, 1, 0, 0, None, b"\xff[oops", None, 0, 0, [])
    assert Text.from_markup(describe(record)).plain.endswith("t 0@1 not JSON (6 bytes)")


def test_tail_resolves_short_names_to_the_configured_topics() -> None:
    settings = Settings(CLAIMSCRUB_TOPIC_HOLD="h", CLAIMSCRUB_TOPIC_INVALID="i")
    assert resolve_topics(settings, ["hold", "invalid", "hold", "other"]) == ["h", "i", "other"]
    assert resolve_topics(settings, ["results"]) == settings.topics().results
