"""``claimscrub``: run the worker, scrub claim files offline, publish them, or run the demo.

``scrub`` goes through ``workers.pipeline.route``, the worker's own engine path, so a file
scrubbed here gives the same result as the same bytes on ``claims.submitted``.

Exit codes: 0 done (even when claims are invalid: that is a result), 1 the demo or a
publish failed, 2 a usage error (unreadable input, bad configuration).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from contracts import MessageSource
from workers.inputs import InputError, claim_key, read_records
from workers.logging import configure_logging
from workers.pipeline import Routed, route
from workers.settings import Settings

USAGE_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"claimscrub: invalid configuration:\n{error}", file=sys.stderr)
        return USAGE_ERROR
    command: int = args.func(args, settings)
    return command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimscrub", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="consume claims.submitted and publish results")
    run.set_defaults(func=_run)

    scrub = commands.add_parser("scrub", help="scrub a claim file offline, results to stdout")
    scrub.add_argument("path", help="a .json (claim or list of claims) or .jsonl file, or -")
    scrub.add_argument("--pretty", action="store_true", help="a table per claim for people")
    scrub.set_defaults(func=_scrub)

    publish = commands.add_parser("publish", help="send claim files to the submitted topic")
    publish.add_argument("paths", nargs="+", help=".json / .jsonl files, or -")
    publish.set_defaults(func=_publish)

    demo = commands.add_parser("demo", help="the example claims through a broker and worker")
    demo.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (60)")
    demo.set_defaults(func=_demo)
    return parser


def _run(_: argparse.Namespace, settings: Settings) -> int:
    from workers.app import build_app  # noqa: PLC0415 (keeps `scrub` start-up light)

    configure_logging(settings.CLAIMSCRUB_LOG_LEVEL)
    # FastStream.run stops gracefully on SIGINT and SIGTERM: the batch in hand finishes
    # (or is left uncommitted, to be redelivered) before the consumer leaves the group.
    asyncio.run(build_app(settings).run())
    return 0


def _scrub(args: argparse.Namespace, settings: Settings) -> int:
    from scrubbers import default_engine  # noqa: PLC0415
    from workers.app import topics_from  # noqa: PLC0415

    configure_logging(settings.CLAIMSCRUB_LOG_LEVEL)
    try:
        records = read_records(args.path)
    except InputError as error:
        print(f"claimscrub scrub: {error}", file=sys.stderr)
        return USAGE_ERROR
    engine, topics = default_engine(), topics_from(settings)
    console = Console()
    for index, raw in enumerate(records):
        source = MessageSource(topic=f"file:{args.path}", offset=index)
        routed = route(raw, source, engine, datetime.now(UTC), topics=topics)
        if args.pretty:
            console.print(_table(routed))
        else:
            sys.stdout.buffer.write(routed.value + b"\n")
    sys.stdout.flush()
    return 0


def _table(routed: Routed) -> Table:
    result: dict[str, Any] = orjson.loads(routed.value)
    source = result.get("source", {})
    title = routed.claim_id or f"record {source.get('offset')} (no claim)"
    table = Table(title=f"{title}: {routed.outcome} -> {routed.topic}", title_justify="left")
    if routed.outcome == "invalid":
        table.add_column("path")
        table.add_column("error")
        for error in result["errors"]:
            table.add_row(error["path"] or "(message)", error["message"])
        return table
    for column in ("rule", "severity", "line", "message"):
        table.add_column(column)
    for finding in result["findings"]:
        line = "claim" if finding["line"] is None else str(finding["line"])
        table.add_row(finding["rule"], finding["severity"], line, finding["message"])
    if not result["findings"]:
        table.add_row("-", "-", "-", "no findings")
    return table


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    try:
        records = [raw for path in args.paths for raw in read_records(path)]
    except InputError as error:
        print(f"claimscrub publish: {error}", file=sys.stderr)
        return USAGE_ERROR
    asyncio.run(_send(settings, records))
    print(f"published {len(records)} claim(s) to {settings.CLAIMSCRUB_TOPIC_SUBMITTED}")
    return 0


async def _send(settings: Settings, records: list[bytes]) -> None:
    from workers.kafka import client_options  # noqa: PLC0415

    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        pending = [
            await producer.send(settings.CLAIMSCRUB_TOPIC_SUBMITTED, raw, key=claim_key(raw))
            for raw in records
        ]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from workers.demo import DemoTimeout, run_demo  # noqa: PLC0415
    from workers.kafka import LocalBroker  # noqa: PLC0415

    configure_logging("WARNING")
    # A fresh broker answers "coordinator not available" for a moment, which aiokafka logs
    # as an error before it retries; the demo reports real trouble by its own timeout.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    console = Console()
    local, started = LocalBroker(), False
    try:
        if "KAFKA_BOOTSTRAP_SERVERS" not in os.environ:
            started = not local.running()
            console.print("starting (or reusing) the local Kafka broker: scripts/kafka-local")
            address = local.start()
            settings = settings.model_copy(update={"KAFKA_BOOTSTRAP_SERVERS": address})
        console.print(f"broker {settings.KAFKA_BOOTSTRAP_SERVERS}; publishing examples ...")
        asyncio.run(run_demo(settings, console, timeout_s=args.timeout))
    except (DemoTimeout, RuntimeError) as error:
        console.print(f"[red]claimscrub demo failed:[/] {error}")
        return 1
    finally:
        if started:
            console.print("stopping the local Kafka broker ...")
            local.stop()
    return 0
