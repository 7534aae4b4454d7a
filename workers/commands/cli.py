"""``claimscrub``: run the worker, scrub claim files offline, publish them, or run the demo.

For operators: ``run`` (the worker, with /metrics, /healthz and /readyz), ``publish``
(claim files to the submitted topic, to test an environment), ``tail`` (results as they
arrive), ``topics`` (which of the worker's topics exist; ``--create`` on a dev broker),
``rules`` (every rule the engine can report), ``data`` (the reference data: what is loaded,
a new quarter's CMS files imported, a bundle checked) and ``docs`` (regenerate the published
contract and rule documents).

``run`` and ``publish`` first check, with the worker's own client options, that the broker
answers and their topics exist, and otherwise say so in one line on stderr and exit 1:
neither creates a topic (production clusters own theirs), and a missing one would
otherwise be auto-created by a metadata request or block the sends, with aiokafka's error
records instead of an explanation.

``scrub`` goes through ``workers.runtime.pipeline.route``, the worker's own engine path, so a file
scrubbed here gives the same result as the same bytes on ``claims.submitted``.

Exit codes: 0 done (even when claims are invalid: that is a result), 1 the worker could
not start (broker unreachable, topic missing), the demo or a publish failed, ``topics``
found one missing, or ``docs --check`` found stale documents, 2 a usage error (unreadable
input, bad configuration).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from claimscrub.contracts import ClaimInvalid, MessageSource
from claimscrub.scrubbers.errors import ReferenceDataError
from claimscrub.workers.commands.claim_files import InputError, claim_key, read_records
from claimscrub.workers.observability.logging import configure_logging
from claimscrub.workers.runtime.pipeline import Routed, route
from claimscrub.workers.settings import Settings

USAGE_ERROR = 2
PROGRESS_FROM = 100  # records; fewer are done before a progress bar could be read


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"claimscrub: invalid configuration:\n{error}", file=sys.stderr)
        return USAGE_ERROR
    try:
        command: int = args.func(args, settings)
    except ReferenceDataError as error:  # a bad CLAIMSCRUB_DATA_DIR bundle, say: one line
        print(f"claimscrub: the reference data cannot be used: {error}", file=sys.stderr)
        return USAGE_ERROR
    return command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimscrub", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="consume claims.submitted and publish results")
    run.set_defaults(func=_run)

    scrub = commands.add_parser("scrub", help="scrub claim files offline, results to stdout")
    scrub.add_argument("paths", nargs="+", metavar="PATH", help=INPUTS)
    scrub.add_argument("--pretty", action="store_true", help="a table per claim for people")
    scrub.set_defaults(func=_scrub)

    publish = commands.add_parser("publish", help="send claim files to the submitted topic")
    publish.add_argument("paths", nargs="+", metavar="PATH", help=INPUTS)
    publish.set_defaults(func=_publish)

    tail = commands.add_parser("tail", help="print results as they arrive, one line each")
    tail.add_argument(
        "topics",
        nargs="+",
        metavar="TOPIC",
        help="topic names, or: results (all four), pass, fix-suggested, hold, invalid, submitted",
    )
    tail.add_argument(
        "--from-beginning", action="store_true", help="start at the oldest record, not the end"
    )
    tail.add_argument(
        "--max",
        type=_positive(int),
        metavar="N",
        help="stop after N records; waits until N have come, so add --idle to stop sooner",
    )
    tail.add_argument(
        "--idle",
        type=_positive(float),
        metavar="SECONDS",
        help="stop once nothing arrived for SECONDS (with or without --max)",
    )
    tail.set_defaults(func=_tail)

    topics = commands.add_parser(
        "topics", help="which of the worker's five topics exist (exit 1 if one is missing)"
    )
    topics.add_argument(
        "--create",
        action="store_true",
        help="create the missing ones, replication factor 1: for a dev or test broker",
    )
    topics.add_argument(
        "--partitions", type=_positive(int), default=1, metavar="N", help="for --create (1)"
    )
    topics.set_defaults(func=_topics)

    rules = commands.add_parser("rules", help="list every rule: id, severity, summary")
    rules.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    rules.set_defaults(func=_rules)

    data = commands.add_parser("data", help="the reference data: info, import, check")
    data_commands = data.add_subparsers(required=True, metavar="ACTION", dest="action")
    data_info = data_commands.add_parser("info", help="tables, periods, rows, digests, ruleset")
    data_info.add_argument("bundle", nargs="?", help="a bundle file or directory")
    data_import = data_commands.add_parser(
        "import", help="compile downloaded CMS files into a bundle the worker reads"
    )
    data_import.add_argument("sources", type=Path, help="folder with asp-YYYY-MM/, hcpcs-YYYY-MM/")
    data_import.add_argument("--out", type=Path, required=True, help="directory for bundle.json")
    data_check = data_commands.add_parser("check", help="validate a bundle")
    data_check.add_argument("bundle", nargs="?", help="a bundle file or directory")
    data.set_defaults(func=_data)

    docs = commands.add_parser(
        "docs", help="regenerate docs/asyncapi.yaml, docs/schemas and docs/rules.md"
    )
    docs.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a document is stale"
    )
    docs.add_argument("--dir", type=Path, help="where (default: ./docs)")
    docs.set_defaults(func=_docs)

    demo = commands.add_parser(
        "demo",
        help="the example claims through a broker and worker, on topics of its own",
    )
    demo.add_argument("--timeout", type=float, default=60.0, help="seconds to wait (60)")
    demo.set_defaults(func=_demo)
    return parser


INPUTS = (
    "a .json file (a claim, a list of claims, or several back to back), a .jsonl file "
    "(one claim per line), or - for stdin (any of these)"
)


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text}")
        return value

    return parse


def _run(_: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.workers.commands.kafka_admin import BrokerError, check_broker  # noqa: PLC0415
    from claimscrub.workers.runtime.server import serve  # noqa: PLC0415 (keeps `scrub` start-up light)

    configure_logging(settings.CLAIMSCRUB_LOG_LEVEL)
    topics = settings.topics()
    try:
        # Before anything starts: one line instead of a traceback when the broker cannot
        # be reached or a topic is missing (module doc); on a fresh cluster it also waits
        # for the group coordinator, which the consumer would log as an error otherwise.
        check = check_broker(
            settings, [topics.submitted, *topics.results], group_id=settings.CLAIMSCRUB_GROUP_ID
        )
        asyncio.run(check)
    except (BrokerError, KafkaError) as error:
        return _broker_failure("run", error)
    # Stops gracefully on SIGINT and SIGTERM: the batch in hand finishes (or is left
    # uncommitted, to be redelivered) before the consumer leaves the group.
    return 0 if asyncio.run(serve(settings)) else 1


def _scrub(args: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.scrubbers import default_engine  # noqa: PLC0415

    configure_logging(settings.CLAIMSCRUB_LOG_LEVEL)
    try:
        # Every input read before the first result: a missing file is exit 2, no output.
        inputs = [(path, read_records(path)) for path in args.paths]
    except InputError as error:
        print(f"claimscrub scrub: {error}", file=sys.stderr)
        return USAGE_ERROR
    engine, topics = default_engine(settings.cms_bundle()), settings.topics()
    console = Console()
    total = sum(len(records) for _, records in inputs)
    # A bar only while results go to a file or pipe: on a terminal it would mix with them.
    with _progress("scrubbing", total, shown=not console.is_terminal) as advance:
        for path, records in inputs:
            for index, raw in enumerate(records):
                source = MessageSource(topic=f"file:{path}", offset=index)
                routed = route(raw, source, engine, datetime.now(UTC), topics=topics)
                if args.pretty:
                    console.print(_table(routed))
                else:
                    sys.stdout.buffer.write(routed.value + b"\n")
                advance()
    sys.stdout.flush()
    return 0


def _table(routed: Routed) -> Table:
    event = routed.event
    title = routed.claim_id
    if title is None and isinstance(event, ClaimInvalid):
        title = f"record {event.source.offset} (no claim)"
    table = Table(title=f"{title}: {routed.outcome} -> {routed.topic}", title_justify="left")
    if isinstance(event, ClaimInvalid):
        table.add_column("path")
        table.add_column("error")
        for error in event.errors:
            table.add_row(error.path or "(message)", error.message)
        return table
    for column in ("rule", "severity", "line", "message"):
        table.add_column(column)
    for finding in event.findings:
        line = "claim" if finding.line is None else str(finding.line)
        table.add_row(finding.rule, finding.severity, line, finding.message)
    if not event.findings:
        table.add_row("-", "-", "-", "no findings")
    return table


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.workers.commands.kafka_admin import BrokerError, check_broker  # noqa: PLC0415

    try:
        records = [raw for path in args.paths for raw in read_records(path)]
    except InputError as error:
        print(f"claimscrub publish: {error}", file=sys.stderr)
        return USAGE_ERROR
    try:
        # The topic must exist: publish never creates one (module doc).
        asyncio.run(check_broker(settings, [settings.topics().submitted]))
        with _progress("publishing", len(records)) as advance:
            asyncio.run(_send(settings, records, advance))
    except (BrokerError, KafkaError) as error:
        return _broker_failure("publish", error)
    print(f"published {len(records)} claim(s) to {settings.topics().submitted}")
    return 0


async def _send(settings: Settings, records: list[bytes], advance: Callable[[], None]) -> None:
    from claimscrub.workers.commands.kafka_admin import client_options  # noqa: PLC0415

    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True)
    try:
        await producer.start()  # inside: a failed start leaves what it opened to stop()
        pending = []
        for raw in records:
            topic = settings.topics().submitted
            sent = await producer.send(topic, raw, key=claim_key(raw))
            sent.add_done_callback(lambda _: advance())
            pending.append(sent)
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def _broker_failure(command: str, error: Exception) -> int:
    """One line on stderr for a command the broker failed: a ``BrokerError`` says it all,
    aiokafka's errors are named by their type. Exit code 1."""
    from claimscrub.workers.commands.kafka_admin import BrokerError  # noqa: PLC0415

    text = str(error) if isinstance(error, BrokerError) else f"{type(error).__name__}: {error}"
    print(f"claimscrub {command}: {text}", file=sys.stderr)
    return 1


@contextmanager
def _progress(what: str, total: int, *, shown: bool = True) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for ``total`` steps, only at a terminal and only for a
    long run (a few claims are done before a bar could be read); yields ``advance``."""
    stderr = Console(stderr=True)
    with Progress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=not (shown and stderr.is_terminal and total >= PROGRESS_FROM),
    ) as progress:
        task = progress.add_task(what, total=total)
        yield lambda: progress.advance(task)


def _tail(args: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.workers.commands.kafka_admin import BrokerError  # noqa: PLC0415
    from claimscrub.workers.commands.tail import resolve_topics, tail  # noqa: PLC0415

    topics = resolve_topics(settings, args.topics)
    coroutine = tail(
        settings,
        topics,
        Console(),
        from_beginning=args.from_beginning,
        max_records=args.max,
        idle_timeout_s=args.idle,
        status=Console(stderr=True),
    )
    try:
        asyncio.run(coroutine)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a tail without --max or --idle ends
    except (BrokerError, KafkaError) as error:
        return _broker_failure("tail", error)
    return 0


def _topics(args: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.workers.commands.kafka_admin import (  # noqa: PLC0415
        TOPIC_SETTINGS,
        BrokerError,
        ensure_topics,
        partition_counts,
    )

    names = {getattr(settings, name): name for name in TOPIC_SETTINGS}

    async def report() -> dict[str, int | None]:
        if args.create:
            await ensure_topics(settings, list(names), partitions=args.partitions)
        return await partition_counts(settings, list(names))

    try:
        counts = asyncio.run(report())
    except (BrokerError, KafkaError) as error:
        print(f"claimscrub topics: {error}", file=sys.stderr)
        return 1
    width = max(map(len, names))
    for topic, setting in names.items():
        count = counts[topic]
        state = "missing" if count is None else f"{count} partition(s)"
        print(f"{topic:<{width}}  {state:<16}  {setting}")
    return 1 if None in counts.values() else 0


def _rules(args: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.scrubbers import default_engine  # noqa: PLC0415 (the engine's own catalog)

    reference = default_engine(settings.cms_bundle()).reference
    catalog = reference.catalog
    if args.json:
        for info in catalog.rule:
            sys.stdout.buffer.write(orjson.dumps(info.model_dump()) + b"\n")
        return 0
    table = Table(title=f"ruleset {reference.ruleset}: {len(catalog.rule)} rules", expand=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("summary", ratio=3)
    table.add_column("reference", ratio=2)
    for info in catalog.rule:
        table.add_row(info.id, info.severity, info.summary, info.reference)
    Console().print(table)
    return 0


def _data(args: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.workers.commands import data  # noqa: PLC0415 (loads reference data)

    console = Console()
    try:
        if args.action == "import":
            data.import_(args.sources, args.out, console)
            return 0
        path = data.bundle_path(args.bundle, settings.cms_bundle())
        (data.info if args.action == "info" else data.check)(path, console)
    except data.DataError as error:
        print(f"claimscrub data {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


def _docs(args: argparse.Namespace, _: Settings) -> int:
    from claimscrub.workers.commands import docs  # noqa: PLC0415

    root: Path = args.dir or docs.DOCS
    if args.check:
        stale = docs.stale(root)
        for path in stale:
            print(f"stale: {root / path} (run `claimscrub docs`)", file=sys.stderr)
        return 1 if stale else 0
    for path in docs.write(root):
        print(f"wrote {root / path}")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from claimscrub.workers.commands.demo import DemoTimeout, run_demo  # noqa: PLC0415
    from claimscrub.workers.commands.kafka_admin import LocalBroker  # noqa: PLC0415

    # The demo prints one line per claim itself; a dead letter's warning line would repeat it.
    configure_logging("ERROR")
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
        # Topics and consumer group of its own, whichever broker this is (demo.py).
        asyncio.run(run_demo(settings, console, timeout_s=args.timeout))
    except (DemoTimeout, RuntimeError, KafkaError) as error:
        console.print(
            f"[red]claimscrub demo failed:[/] {escape(str(error))}", highlight=False, soft_wrap=True
        )
        return 1
    finally:
        if started:
            console.print("stopping the local Kafka broker ...")
            local.stop()
    return 0
