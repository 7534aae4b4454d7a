"""``claimscrub tail --max N --idle S``: stops after N records or after S seconds without
one, whichever comes first; ``--max`` alone waits for its N (documented in the help).
A stand-in consumer replaces aiokafka's, so no broker is needed."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import orjson
import pytest
from aiokafka import ConsumerRecord, TopicPartition
from rich.console import Console

from claimscrub.workers.commands import tail as tail_module
from claimscrub.workers.commands.cli import main
from claimscrub.workers.settings import Settings

PARTITION = TopicPartition("claims.scrub.pass", 0)


def _record(offset: int) -> ConsumerRecord[bytes, bytes]:
    value = {"schema": "claim.scrubbed/v1", "claim_id": f"C-{offset}", "outcome": "pass"}
    return ConsumerRecord(
        PARTITION.topic, 0, offset, 1_700_000_000_000 + offset, 0, None,
        orjson.dumps(value), None, 0, 0, [],
    )  # fmt: skip


class StandInConsumer:
    """Has ``available`` records at first, then nothing more, however long one waits."""

    available = 0

    def __init__(self, **_: Any) -> None:
        self.pending = [_record(offset) for offset in range(self.available)]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def assign(self, _: list[TopicPartition]) -> None:
        return None

    def seek(self, _: TopicPartition, __: int) -> None:
        return None

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict.fromkeys(partitions, 0)

    beginning_offsets = end_offsets

    async def getmany(self, timeout_ms: int) -> dict[TopicPartition, list[Any]]:
        if self.pending:
            batch, self.pending = self.pending, []
            return {PARTITION: batch}
        await asyncio.sleep(timeout_ms / 1000)
        return {}


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> type[StandInConsumer]:
    async def partitions(*_: object) -> list[TopicPartition]:
        return [PARTITION]

    monkeypatch.setattr(tail_module, "AIOKafkaConsumer", StandInConsumer)
    monkeypatch.setattr(tail_module, "topic_partitions", partitions)
    return StandInConsumer


async def _tail(
    available: int, stand_in: type[StandInConsumer], **limits: Any
) -> tuple[int, float, str, str]:
    stand_in.available = available
    out, status = io.StringIO(), io.StringIO()
    started = time.monotonic()
    printed = await asyncio.wait_for(
        tail_module.tail(
            Settings(),
            [PARTITION.topic],
            Console(file=out, width=200),
            status=Console(file=status, width=200),
            **limits,
        ),
        timeout=10,
    )
    return printed, time.monotonic() - started, out.getvalue(), status.getvalue()


async def test_fewer_than_max_stop_after_idle(stand_in: type[StandInConsumer]) -> None:
    printed, took, out, status = await _tail(2, stand_in, max_records=20, idle_timeout_s=1.0)

    assert printed == 2
    assert len(out.splitlines()) == 2
    assert 1.0 <= took < 5
    assert "nothing for 1 s: stopped after 2 record(s)" in status


async def test_max_stops_before_idle(stand_in: type[StandInConsumer]) -> None:
    printed, took, out, status = await _tail(5, stand_in, max_records=3, idle_timeout_s=30)

    assert printed == 3
    assert [line.split()[3] for line in out.splitlines()] == ["C-0", "C-1", "C-2"]
    assert took < 5
    assert "nothing for" not in status


async def test_max_alone_keeps_waiting(stand_in: type[StandInConsumer]) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(_tail(1, stand_in, max_records=2), timeout=1.5)


def test_the_help_says_how_max_and_idle_combine(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["tail", "--help"])
    assert exit_.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--max N stop after N records; waits until N have come, so add --idle" in help_text
    assert "--idle SECONDS stop once nothing arrived for SECONDS" in help_text


@pytest.mark.parametrize("limit", [["--max", "0"], ["--idle", "-1"], ["--max", "many"]])
def test_limits_must_be_positive_numbers(
    limit: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["tail", "results", *limit])
    assert exit_.value.code == 2
    assert limit[0] in capsys.readouterr().err
