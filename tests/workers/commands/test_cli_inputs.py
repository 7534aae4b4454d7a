"""Claim input for ``scrub`` and ``publish``: several files, and stdin holding JSON documents
back to back (``cat *.json``), JSON lines or one document; what is not JSON is one record,
so one ``claim.invalid/v1``, never a crash."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from claimscrub.workers.commands import cli
from claimscrub.workers.commands.claim_files import example_paths, read_records
from claimscrub.workers.settings import Settings

EXAMPLES = example_paths()


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))


def _results(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def _what(result: dict[str, Any]) -> tuple[object, ...]:
    """A result without what depends on where and when it was made."""
    errors = tuple(error["message"] for error in result.get("errors", []))
    return (result["schema"], result.get("outcome"), result.get("source_event_id"), errors)


def test_scrub_takes_several_files_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["scrub", *map(str, EXAMPLES)]) == 0

    results = _results(capsys)
    assert len(results) == len(EXAMPLES)
    for path, result in zip(EXAMPLES, results, strict=True):
        event_id = orjson.loads(path.read_bytes())["event_id"]
        if result["schema"] == "claim.invalid/v1":
            assert result["source"]["topic"] == f"file:{path}"
            assert result["source"]["offset"] == 0
        else:
            assert result["source_event_id"] == event_id


def test_scrub_reads_concatenated_pretty_printed_documents_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["scrub", *map(str, EXAMPLES)]) == 0
    one_by_one = _results(capsys)

    _stdin(monkeypatch, b"".join(path.read_bytes() for path in EXAMPLES))
    assert cli.main(["scrub", "-"]) == 0

    from_stdin = _results(capsys)
    assert [_what(r) for r in from_stdin] == [_what(r) for r in one_by_one]


def test_a_broken_document_among_others_is_one_invalid_result(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [EXAMPLES[0].read_bytes(), EXAMPLES[-1].read_bytes()]
    broken = b'{\n  "claim_id": "CLM-BROKEN",\n  "lines": [\n    {"units": 1,}\n  ]\n}\n'
    _stdin(monkeypatch, good[0] + broken + good[1])

    assert cli.main(["scrub", "-"]) == 0

    first, middle, last = _results(capsys)
    assert first["source_event_id"] == orjson.loads(good[0])["event_id"]
    assert middle["schema"] == "claim.invalid/v1"
    assert middle["source"]["offset"] == 1
    assert "CLM-BROKEN" in middle["raw"]
    assert last["source_event_id"] == orjson.loads(good[1])["event_id"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # one object: its bytes as given
        (b'{"a": 1}\n', [b'{"a": 1}\n']),
        # a list: one record per item
        (b'[{"a": 1}, {"b": 2}]', [b'{"a":1}', b'{"b":2}']),
        # JSON lines, one broken line: the others are unaffected
        (b'{"a":1}\n{oops\n{"b":2}\n', [b'{"a":1}', b"{oops", b'{"b":2}']),
        # several documents back to back, lists and objects mixed
        (b'{"a":1}[{"b":2}]\n{\n  "c": 3\n}', [b'{"a":1}', b'{"b":2}', b'{\n  "c": 3\n}']),
        # nothing JSON at all: one record
        (b"not json\nat all", [b"not json\nat all"]),
        # not UTF-8 on stdin: a record per line
        (b'{"a":1}\n\xff\xfe\n', [b'{"a":1}', b"\xff\xfe"]),
    ],
)
def test_stdin_records(
    monkeypatch: pytest.MonkeyPatch, data: bytes, expected: list[bytes]
) -> None:
    _stdin(monkeypatch, data)
    assert read_records("-") == expected


def test_files_keep_their_forms(tmp_path: Path) -> None:
    jsonl = tmp_path / "claims.jsonl"
    jsonl.write_bytes(b'{"a":1}\n\n{"b":\n')
    assert read_records(str(jsonl)) == [b'{"a":1}', b'{"b":']
    single = tmp_path / "claim.json"
    single.write_bytes(EXAMPLES[0].read_bytes())
    assert read_records(str(single)) == [EXAMPLES[0].read_bytes()]
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"claim_id": "x",\n  oops\n}\n\xff')
    assert read_records(str(broken)) == [broken.read_bytes()]


def test_publish_reads_the_same_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``publish`` of ``cat *.json``: one message per example, its bytes as in the file."""
    sent: list[bytes] = []

    async def no_check(*_: object, **__: object) -> None:
        return None

    async def send(_: Settings, records: list[bytes], advance: Callable[[], None]) -> None:
        sent.extend(records)

    monkeypatch.setattr("claimscrub.workers.commands.kafka_admin.check_broker", no_check)
    monkeypatch.setattr(cli, "_send", send)
    _stdin(monkeypatch, b"".join(path.read_bytes() for path in EXAMPLES))

    assert cli.main(["publish", "-"]) == 0

    assert sent == [path.read_bytes().strip() for path in EXAMPLES]
    assert f"published {len(EXAMPLES)} claim(s)" in capsys.readouterr().out
