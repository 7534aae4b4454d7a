"""Kafka side of the benchmarks: topics, pre-loading, worker processes, reading results."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from claimscrub.workers.commands.kafka_admin import ensure_topics
from claimscrub.workers.settings import Settings


@dataclass(frozen=True)
class Run:
    """Topic and group names of one measurement, so runs never see each other's data."""

    name: str
    bootstrap: str
    partitions: int

    @property
    def source(self) -> str:
        return self.settings().topics().submitted

    def settings(self) -> Settings:
        base = Settings(KAFKA_BOOTSTRAP_SERVERS=self.bootstrap)
        return base.with_topic_prefix(f"bench.{self.name}")

    def worker_env(self) -> dict[str, str]:
        fields = self.settings().model_dump(exclude_none=True)
        env = {key: str(value) for key, value in fields.items()}
        env["CLAIMSCRUB_HTTP_PORT"] = str(free_port())
        return {**os.environ, **env}

    async def create_topics(self) -> None:
        settings = self.settings()
        await ensure_topics(settings, [self.source], partitions=self.partitions)
        await ensure_topics(settings, settings.topics().results, partitions=self.partitions)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def preload(bootstrap: str, topic: str, messages: Sequence[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        sent = [await producer.send(topic, value, key=key) for key, value in messages]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


@dataclass
class Collected:
    """The results of a run, and when each arrived here (``time.monotonic()``)."""

    records: list[ConsumerRecord[bytes, bytes]]
    arrived: list[float]

    def steady_window(self) -> tuple[float, float]:
        """From the arrival of the 10th to the 90th percentile result (as ``steady_rate``)."""
        count = len(self.arrived)
        return self.arrived[count // 10], self.arrived[count * 9 // 10]


async def collect(
    bootstrap: str, topics: Sequence[str], expected: int, timeout_s: float
) -> Collected:
    """Read the result topics from the beginning until ``expected`` records arrived."""
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    collected = Collected([], [])
    deadline = time.monotonic() + timeout_s
    try:
        while len(collected.records) < expected:
            if time.monotonic() > deadline:
                msg = f"{len(collected.records)} of {expected} results after {timeout_s:.0f} s"
                raise TimeoutError(msg)
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            now = time.monotonic()
            for batch in batches.values():
                collected.records.extend(batch)
                collected.arrived.extend(now for _ in batch)
    finally:
        await consumer.stop()
    return collected


def steady_rate(records: Sequence[ConsumerRecord[bytes, bytes]]) -> float:
    """Results per second between the 10th and 90th percentile of their broker timestamps:
    start-up, group joins and the tail do not count, for the worker and baseline alike."""
    stamps: list[int] = sorted(record.timestamp for record in records)
    low, high = stamps[len(stamps) // 10], stamps[len(stamps) * 9 // 10]
    span_s = max(high - low, 1) / 1000
    return (len(stamps) * 8 // 10) / span_s


@contextmanager
def processes(
    specs: Sequence[tuple[Sequence[str], dict[str, str]]], log: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start each (command, environment), and stop them with SIGTERM (then SIGKILL) however
    the block ends."""
    with log.open("ab") as sink:
        started = [
            subprocess.Popen(list(command), env=env, stdout=sink, stderr=sink)
            for command, env in specs
        ]
        try:
            yield started
        finally:
            for process in started:
                process.send_signal(signal.SIGTERM)
            for process in started:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


def worker_command() -> list[str]:
    return [str(Path(sys.executable).parent / "claimscrub"), "run"]


def passthrough_command(run: Run, target: str) -> list[str]:
    module = "claimscrub.bench.passthrough"
    return [sys.executable, "-m", module, run.source, target, f"bench.{run.name}"]
