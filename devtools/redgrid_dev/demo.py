"""`make demo`: the seed community's past year from its ledger, and this month live.

With the system running (`make run`): ensure the demo grids, import the past twelve months
as a paper ledger (intake, then dispatch, as `import-ledger` does), report this month's issues
through the public API and move some through the workflow, wait for
stats to count everything, then print PRODUCT.md's figures as stats answers them
(docs/demo.md maps each figure to its query).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import warnings
from datetime import datetime, timezone

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from redgrid_dev import demo_directory, demo_figures, demo_ledger
from redgrid_dev.demo_live import WORKFLOW_SHARE, Tokens, Workflow, report_all, seeds
from redgrid_dev.import_ledger import ImportFailed, Target, import_ledger

console = Console()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redgrid_dev demo",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--intake", default="http://127.0.0.1:8001")
    parser.add_argument("--dispatch", default="http://127.0.0.1:8002")
    parser.add_argument("--stats", default="http://127.0.0.1:8003")
    parser.add_argument("--live-scale", type=float, default=0.05,
                        help="this month's reports as a share of PRODUCT.md's figures")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--deadline", type=float, default=300.0,
                        help="seconds to wait for stats to count everything")
    return parser.parse_args(argv)


def progress() -> Progress:
    return Progress(TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


async def settle(client: httpx.AsyncClient, stats: str, headers: dict, since: str,
                 expected: int, deadline: float, bar: Progress) -> bool:
    """Poll stats until it counts `expected` issues since the year's start, none unrouted."""
    task = bar.add_task("stats counting", total=expected)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        response = await client.get(f"{stats}/v1/stats/summary", params={"from": since},
                                    headers=headers)
        if response.status_code == 200:
            body = response.json()
            bar.update(task, completed=min(body["collected"], expected))
            if body["collected"] >= expected and not body["by_status"].get("reported"):
                return True
        await asyncio.sleep(0.5)
    return False


async def _run(args: argparse.Namespace, tokens: Tokens, now: datetime) -> int:
    year = demo_ledger.jsonl(now)
    rows = year.count("\n")
    live = seeds(args.live_scale)
    month = f"{now:%Y-%m}"
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        with progress() as bar:
            target = Target(args.intake, args.dispatch, tokens.token("admin", "admin-1"))
            try:
                results = await import_ledger(year, "jsonl", target, progress=bar)
            except ImportFailed as err:
                console.print(f"[red]ledger import failed: {err}[/red] {err.fields}")
                return 1
            task = bar.add_task("this month: reports", total=len(live))
            outcome, ids = await report_all(client, args.intake, tokens, live, args.concurrency,
                                            month=month, advance=lambda: bar.advance(task))
            flow = Workflow(client, args.intake, args.dispatch, tokens)
            chosen = ids[::WORKFLOW_SHARE]
            task = bar.add_task("this month: workflow", total=len(chosen))
            for issue_id in chosen:
                await flow.run(issue_id)
                bar.advance(task)
            operator = tokens.header("operator", "op-1")
            start, _ = demo_ledger.year_of(now)
            settled = await settle(client, args.stats, operator, start.date().isoformat(),
                                   rows + outcome["created"] + outcome["replayed"],
                                   args.deadline, bar)
        answers = await demo_figures.read(client, args.stats, operator, now)
    imported = results["dispatch"]
    console.print(f"ledger: {rows} rows; dispatch wrote {imported['streams_written']} streams, "
                  f"{imported['streams_already']} were already imported")
    console.print(f"this month: {outcome['created']} reported, {outcome['replayed']} already "
                  f"there, {outcome['failed']} failed; workflow steps {dict(flow.done)}")
    for step, why in flow.refused.items():
        console.print(f"[yellow]{step} refused, e.g. {why}[/yellow]")
    if flow.missing:
        console.print(f"[yellow]the workflow stopped at {flow.missing}: "
                      "the route answered 404[/yellow]")
    show(answers)
    console.print(f"\ndashboard: {args.stats}/dashboard#token={tokens.token('operator', 'op-1')}")
    if not settled:
        console.print(f"[red]stats did not count everything within {args.deadline:.0f} s[/red]")
    return 0 if settled and not outcome["failed"] else 1


def show(answers) -> None:
    table = Table(title="PRODUCT.md's figures, as stats counts the imported year")
    for column in ("figure", "PRODUCT.md", "stats", "query"):
        table.add_column(column)
    for figure, value in answers:
        query = "&".join(f"{k}={v}" for k, v in figure.params.items())
        table.add_row(figure.name, figure.claim, "—" if value is None else str(value),
                      f"{figure.path}?{query}")
    console.print(table)


def main(argv: list[str]) -> int:
    """Ensure the demo grids, import the year, run this month, and print the figures."""
    from redgrid_shared.settings import ServiceSettings

    args = parse(argv)
    warnings.filterwarnings("ignore", message="The HMAC key is")
    tokens = Tokens(ServiceSettings().jwt_secret)  # REDGRID_JWT_SECRET, else the dev secret
    try:
        grids = demo_directory.load(args.dispatch, tokens.token("admin", "admin-1"))
    except (httpx.TransportError, RuntimeError) as err:
        print(f"error: cannot load the demo grids into {args.dispatch} ({err}); is `make run` up?",
              file=sys.stderr)
        return 1
    console.print(f"demo grids {', '.join(grids)} ensured in {args.dispatch}")
    return asyncio.run(_run(args, tokens, datetime.now(timezone.utc)))
