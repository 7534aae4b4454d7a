"""Processor time of the processes in a run, read from ``/proc`` (Linux only; elsewhere the
figures are left out): how much CPU a claim costs each side, and how many cores the broker
took meanwhile. Unlike claims/s, CPU per claim barely moves when another process competes
for the cores, so it shows what a change saved even on a busy machine."""

from __future__ import annotations

import asyncio
import os
import time
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
_TICKS_PER_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """User plus system time of ``pid`` so far; None once it is gone (or without /proc)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may contain spaces.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_S


def local_broker_pids() -> list[int]:
    """Kafka brokers running on this machine (their JVM's main class is ``kafka.Kafka``)."""
    pids = []
    for entry in PROC.glob("[0-9]*") if PROC.is_dir() else ():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kafka.Kafka" in command:
            pids.append(int(entry.name))
    return pids


class CpuSampler:
    """Samples the CPU time of ``pids`` every ``every_s`` while the run goes on, so the time
    spent in any window of the run (such as its steady part) can be read afterwards."""

    def __init__(self, pids: Iterable[int], every_s: float = 0.2) -> None:
        self.pids = list(pids)
        self.every_s = every_s
        self.samples: list[tuple[float, dict[int, float | None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CpuSampler:
        self._task = asyncio.create_task(self._sample_forever())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
        self._sample()

    def seconds_between(self, start: float, end: float) -> dict[int, float]:
        """CPU seconds each process used between two ``time.monotonic()`` instants (the
        nearest samples at or after them); processes without both samples are left out."""
        times = [at for at, _ in self.samples]
        first = self.samples[min(bisect_left(times, start), len(times) - 1)][1]
        last = self.samples[min(bisect_left(times, end), len(times) - 1)][1]
        return {
            pid: after - before
            for pid in self.pids
            if (before := first.get(pid)) is not None and (after := last.get(pid)) is not None
        }

    async def _sample_forever(self) -> None:
        while True:
            self._sample()
            await asyncio.sleep(self.every_s)

    def _sample(self) -> None:
        self.samples.append((time.monotonic(), {pid: cpu_seconds(pid) for pid in self.pids}))
