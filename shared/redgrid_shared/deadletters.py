"""Dead letters from the command line, for one service's database and schema:

    python -m redgrid_shared.deadletters --service intake list [--state open|resolved|all]
    python -m redgrid_shared.deadletters --service intake show ID
    python -m redgrid_shared.deadletters --service intake retry ID [--by NAME]
    python -m redgrid_shared.deadletters --service intake retry --all [--by NAME]

The service's own settings are read from the environment (DATABASE_URL, DATABASE_SCHEMA...)
and its handlers from its app, so a retry runs the code that the service runs. Every letter
is visible here: the command is for whoever operates the database.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import json
import sys

from redgrid_shared import db, deadletters_store as store
from redgrid_shared.deadletters_api import view


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redgrid_shared.deadletters",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--service", required=True, help="intake, dispatch or stats")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="letters, oldest first")
    listing.add_argument("--state", choices=("open", "resolved", "all"), default="open")
    listing.add_argument("--limit", type=int, default=100)
    commands.add_parser("show", help="one letter in full").add_argument("id", type=int)
    retry = commands.add_parser("retry", help="re-apply after a fix and mark resolved")
    target = retry.add_mutually_exclusive_group(required=True)
    target.add_argument("id", type=int, nargs="?")
    target.add_argument("--all", action="store_true", help="every open letter, in id order")
    retry.add_argument("--by", default=f"cli/{getpass.getuser()}", help="recorded as resolver")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    app = importlib.import_module(f"{args.service}.main").create_app()
    settings, handlers = app.state.settings, app.state.handlers
    pool = await db.create_pool(settings.database_url, settings.schema, min_size=1, max_size=2)
    try:
        if args.command == "list":
            rows = await store.list_letters(pool, community=None, state=args.state,
                                            limit=args.limit)
            for r in rows:
                status = f"resolved {r['resolved_at']:%F %T} by {r['resolved_by']}" \
                    if r["resolved_at"] else "open"
                print(f"{r['id']:>6}  {r['topic']}[{r['partition']}]@{r['offset']}  "
                      f"{r['community'] or '-'}  {status}  {r['reason'][:100]}")
            print(f"{len(rows)} letter(s)")
            return 0
        if args.command == "show":
            letter = view(await store.get_letter(pool, args.id, community=None))
            print(json.dumps(letter.model_dump(mode="json"), indent=2, ensure_ascii=False))
            return 0
        ids = [args.id] if not args.all else \
            [r["id"] for r in await store.list_letters(pool, community=None, limit=10**6)]
        failed = 0
        for letter_id in ids:
            failed += not await _retry(pool, letter_id, args.by, handlers)
        print(f"{len(ids) - failed} resolved, {failed} still failing")
        return 1 if failed else 0
    except store.NotFound as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        await pool.close()


async def _retry(pool, letter_id: int, by: str, handlers) -> bool:
    try:
        async with pool.acquire() as conn, conn.transaction():
            row = await store.retry_on(conn, letter_id, by=by, community=None, handlers=handlers)
        print(f"{letter_id}: {row['resolution']}")
        return True
    except store.AlreadyResolved as exc:
        print(f"{letter_id}: {exc}")
        return True
    except store.StillFailing as exc:
        await store.record_failure(pool, letter_id, str(exc))
        print(f"{letter_id}: still failing: {exc}", file=sys.stderr)
        return False


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    sys.exit(main())
