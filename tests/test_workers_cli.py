"""``claimscrub scrub``: one result line per input claim, in input order; exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import orjson
import pytest

from workers.cli import main

GOLDEN = [json.loads(line) for line in (Path(__file__).parent / "golden" / "cases.jsonl").open()]


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
