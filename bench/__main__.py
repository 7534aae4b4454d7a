"""``make bench``: every figure of the performance issue in one run, against a real broker.

1. the engine alone (golden and generated mix), one core;
2. the worker end to end over pre-loaded claims;
3. the baseline: an aiokafka passthrough of the same messages, and the ratio;
4. latency at a fixed offered load (publish to result arrival), and at half the rate the
   worker reached in step 2;
5. scaling: one worker against two on a two-partition topic.

Prints one line per figure and writes ``bench/results/latest.json``. ``--smoke`` runs every
step small (CI checks that it completes and writes the JSON; nobody asserts on times).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
import uuid
from pathlib import Path
from statistics import quantiles
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from claimscrub.bench.claims import as_messages, generated_claims, mix_claims
from claimscrub.bench.cpu import CpuSampler, local_broker_pids
from claimscrub.bench.engine import claims_per_second, without_rules
from claimscrub.bench.kafka import (
    Run,
    collect,
    passthrough_command,
    preload,
    processes,
    steady_rate,
    worker_command,
)
from claimscrub.workers.commands.kafka_admin import LocalBroker, ensure_topics

MIN_CPU_WINDOW_S = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m claimscrub.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--smoke", action="store_true", help="small sizes, for CI")
    parser.add_argument("--claims", type=int, default=50_000, help="end-to-end claim count")
    parser.add_argument("--rate", type=int, default=1_000, help="latency offered load, claims/s")
    parser.add_argument("--seconds", type=float, default=30, help="latency duration")
    parser.add_argument("--engine-seconds", type=float, default=5)
    parser.add_argument(
        "--golden",
        type=Path,
        help="JSON lines of claims or worked cases to measure (default: the example claims)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("bench-results"), help="where latest.json goes"
    )
    args = parser.parse_args()
    if args.smoke:
        args.claims, args.rate, args.seconds, args.engine_seconds = 1_000, 100, 3, 0.5
    return args


def report(name: str, value: float, unit: str, **extra: float) -> None:
    details = "".join(f"  {key}={number:.2f}" for key, number in extra.items())
    print(f"{name:<34} {value:>12,.1f} {unit}{details}", flush=True)


def compared(
    first: tuple[str, dict[str, float]], second: tuple[str, dict[str, float]], name: str
) -> float:
    """Report two runs (their rate, and their CPU figures as details) and the ratio of their
    rates, first / second."""
    for label, run in (first, second):
        details = {key: value for key, value in run.items() if key != "claims_per_s"}
        report(label, run["claims_per_s"], "claims/s", **details)
    ratio = first[1]["claims_per_s"] / second[1]["claims_per_s"]
    report(name, ratio, "ratio")
    return ratio


def prefixed(prefix: str, run: dict[str, float]) -> dict[str, float]:
    """A run's figures under JSON keys that say whose they are: ``worker_claims_per_s``."""
    return {f"{prefix}_{key}": value for key, value in run.items()}


async def end_to_end(
    bootstrap: str,
    messages: list[tuple[bytes, bytes]],
    partitions: int,
    workers: int,
    *,
    log: Path,
    passthrough: bool = False,
) -> dict[str, float]:
    """Pre-load the messages, start the consumers, and rate how fast results appear; with
    the CPU time the consumers took per claim and the cores the broker and this process
    (reading the results) used over the same steady part of the run, where /proc tells."""
    run = Run(uuid.uuid4().hex[:12], bootstrap, partitions)
    await run.create_topics()
    await preload(bootstrap, run.source, messages)
    if passthrough:
        target = f"bench.{run.name}.passthrough"
        await ensure_topics(run.settings(), [target], partitions=partitions)
        specs = [(passthrough_command(run, target), run.worker_env())]
        topics = [target]
    else:
        specs = [(worker_command(), run.worker_env()) for _ in range(workers)]
        topics = run.settings().topics().results
    with processes(specs, log) as started:
        consumers, brokers = [process.pid for process in started], local_broker_pids()
        async with CpuSampler([*consumers, *brokers, os.getpid()]) as cpu:
            collected = await collect(bootstrap, topics, len(messages), timeout_s=600)
    figures = {"claims_per_s": steady_rate(collected.records)}
    start, end = collected.steady_window()
    if end - start < MIN_CPU_WINDOW_S:  # too short for 10 ms clock ticks (--smoke)
        return figures
    used = cpu.seconds_between(start, end)
    if all(pid in used for pid in consumers):
        steady_claims = len(collected.records) * 8 // 10
        figures["cpu_us_per_claim"] = sum(used[pid] for pid in consumers) / steady_claims * 1e6
    if brokers and all(pid in used for pid in brokers):
        figures["broker_cores"] = sum(used[pid] for pid in brokers) / (end - start)
    figures["bench_cores"] = used.get(os.getpid(), 0.0) / (end - start)
    return figures


async def latency(
    bootstrap: str, rate: int, seconds: float, golden: list[dict[str, Any]], log: Path
) -> dict[str, float]:
    """Offer ``rate`` claims/s for ``seconds`` to a running worker; milliseconds from each
    claim's send to its result's arrival, for the claims sent after the first third."""
    run = Run(uuid.uuid4().hex[:12], bootstrap, 1)
    await run.create_topics()
    messages = as_messages(generated_claims(golden, int(rate * seconds) + 1), run.name)
    probe, load = messages[0], messages[1:]
    consumer = AIOKafkaConsumer(
        *run.settings().topics().results,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=1)
    with processes([(worker_command(), run.worker_env())], log):
        await consumer.start()
        await producer.start()
        try:
            await preload(bootstrap, run.source, [probe])  # the worker is up once it answers
            await _arrivals(consumer, {probe[0]}, timeout_s=120)
            arrived, sent = await asyncio.gather(
                _arrivals(consumer, {key for key, _ in load}, timeout_s=120),
                _offer(producer, run.source, load, rate),
            )
        finally:
            await producer.stop()
            await consumer.stop()
    # A freshly started worker is slow for its first seconds and the queue it builds then
    # takes a while to drain at a moderate rate, so the first third counts as warm-up.
    steady = min(sent.values()) + seconds / 3
    millis = sorted((arrived[key] - at) * 1000 for key, at in sent.items() if at >= steady)
    cuts = quantiles(millis, n=100)
    return {"p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98], "claims": len(millis)}


async def _offer(
    producer: AIOKafkaProducer, topic: str, load: list[tuple[bytes, bytes]], rate: int
) -> dict[bytes, float]:
    """Send at a fixed pace (no waiting for acks in between) and note each send time."""
    sent: dict[bytes, float] = {}
    started = time.monotonic()
    for index, (key, value) in enumerate(load):
        await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
        sent[key] = time.monotonic()
        await producer.send(topic, value, key=key)
    return sent


async def _arrivals(
    consumer: AIOKafkaConsumer, keys: set[bytes], timeout_s: float
) -> dict[bytes, float]:
    arrived: dict[bytes, float] = {}
    deadline = time.monotonic() + timeout_s
    while len(arrived) < len(keys):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(arrived)} of {len(keys)} results arrived")
        batches = await consumer.getmany(timeout_ms=5, max_records=1000)
        now = time.monotonic()
        for batch in batches.values():
            for record in batch:
                if record.key in keys:
                    arrived.setdefault(record.key, now)
    return arrived


async def measure(args: argparse.Namespace, bootstrap: str) -> dict[str, Any]:
    golden, log = mix_claims(args.golden), args.out / "processes.log"
    figures: dict[str, Any] = {"engine": {}}
    for mix, claims in (("golden", golden), ("generated", generated_claims(golden, 1_000))):
        engine = claims_per_second(claims, args.engine_seconds)
        figures["engine"][mix] = engine
        report(
            f"engine, {mix} mix",
            engine["claims_per_s"],
            "claims/s",
            us_per_claim=engine["us_per_claim"],
        )
    floor = claims_per_second(golden, args.engine_seconds, without_rules())
    figures["engine"]["golden_without_rules"] = floor
    report(
        "engine without rules, golden mix",
        floor["claims_per_s"],
        "claims/s",
        us_per_claim=floor["us_per_claim"],
    )
    report(
        "rules / without rules",
        figures["engine"]["golden"]["claims_per_s"] / floor["claims_per_s"],
        "ratio",
    )
    messages = as_messages(generated_claims(golden, args.claims), uuid.uuid4().hex[:8])
    worker = await end_to_end(bootstrap, messages, partitions=1, workers=1, log=log)
    baseline = await end_to_end(
        bootstrap, messages, partitions=1, workers=1, log=log, passthrough=True
    )
    figures["end_to_end"] = {
        "claims": len(messages),
        **prefixed("worker", worker),
        **prefixed("passthrough", baseline),
        "ratio": compared(
            ("end to end, worker", worker),
            ("end to end, aiokafka passthrough", baseline),
            "worker / passthrough",
        ),
    }
    if "cpu_us_per_claim" in worker and "cpu_us_per_claim" in baseline:
        cpu_ratio = baseline["cpu_us_per_claim"] / worker["cpu_us_per_claim"]
        figures["end_to_end"]["cpu_ratio"] = cpu_ratio
        report("CPU per claim, passthrough / worker", cpu_ratio, "ratio")
    # Above what a worker sustains, latency measures the queue, not the worker; so it is
    # also taken at half the rate the worker just reached.
    half = max(1, int(worker["claims_per_s"] / 2))
    for key, rate in (("latency", args.rate), ("latency_at_half_capacity", half)):
        measured = await latency(bootstrap, rate, args.seconds, golden, log)
        figures[key] = {"offered_per_s": rate, **measured}
        report(
            f"latency at {rate}/s, p99",
            figures[key]["p99_ms"],
            "ms",
            p50=figures[key]["p50_ms"],
            p95=figures[key]["p95_ms"],
        )
    one = await end_to_end(bootstrap, messages, partitions=2, workers=1, log=log)
    two = await end_to_end(bootstrap, messages, partitions=2, workers=2, log=log)
    figures["scaling"] = {
        **prefixed("one_worker", one),
        **prefixed("two_workers", two),
        "ratio": compared(
            ("2 partitions, 2 workers", two),
            ("2 partitions, 1 worker", one),
            "2 workers / 1 worker",
        ),
    }
    return figures


def main() -> None:
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    local = None if bootstrap else LocalBroker()
    started_here = bool(local and not local.running())
    try:
        bootstrap = bootstrap or local.start()  # type: ignore[union-attr]
        figures = asyncio.run(measure(args, bootstrap))
    finally:
        if local and started_here:
            local.stop()
    figures["run"] = {
        "smoke": args.smoke,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (args.out / "latest.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {args.out / 'latest.json'}")


if __name__ == "__main__":
    main()
