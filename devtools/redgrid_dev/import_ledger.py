"""`python -m redgrid_dev import-ledger FILE`: import a paper ledger (台账) into a running system.

The whole file goes to intake, then to dispatch (`POST /v1/admin/import`), each recording the
facts it owns in one transaction. Both are asked for a dry run first, so a bad row or a
conflict stops the import before either service writes anything. Safe to repeat: a second
import of the same file changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.progress import Progress

SERVICES = ("intake", "dispatch")  # intake first: dispatch's events name issues intake knows


class ImportFailed(Exception):
    """A service refused the file; `fields` names each bad line."""

    def __init__(self, service: str, status: int, body: dict):
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{service}: {status} {error.get('message', body)}")
        self.service, self.status, self.fields = service, status, error.get("fields", {})


@dataclass(frozen=True)
class Target:
    intake: str
    dispatch: str
    token: str


def fmt_of(path: Path, given: str | None) -> str:
    """csv or jsonl: as given, else by the file's extension."""
    if given:
        return given
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


async def post(client: httpx.AsyncClient, target: Target, service: str, body: dict,
               key: str) -> dict:
    """One import call; ImportFailed on anything but 200."""
    headers = {"Authorization": f"Bearer {target.token}", "Idempotency-Key": key}
    response = await client.post(f"{getattr(target, service)}/v1/admin/import", json=body,
                                 headers=headers)
    if response.status_code != 200:
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": {"message": response.text[:300]}}
        raise ImportFailed(service, response.status_code, payload)
    return response.json()


async def import_ledger(content: str, fmt: str, target: Target, *,
                        progress: Progress | None = None,
                        transport: httpx.AsyncBaseTransport | None = None) -> dict[str, dict]:
    """Dry-run both services, then import into intake and dispatch; their results by service."""
    # One key per run and step: a retried request replays, a second run reports "already".
    run = uuid.uuid4().hex[:12]
    steps = [(s, True) for s in SERVICES] + [(s, False) for s in SERVICES]
    task = progress.add_task("import", total=len(steps)) if progress else None
    results: dict[str, dict] = {}
    async with httpx.AsyncClient(timeout=600, transport=transport) as client:
        for service, dry in steps:
            if progress:
                progress.update(task, description=f"{'check' if dry else 'write'} {service}")
            body = {"format": fmt, "content": content, "dry_run": dry}
            results[service] = await post(client, target, service, body,
                                    f"ledger-{run}-{service}-{'dry' if dry else 'write'}")
            if progress:
                progress.advance(task)
    return results


def dev_token(community: str) -> str:
    """An admin token signed with REDGRID_JWT_SECRET (development and tests)."""
    from redgrid_shared.auth import mint_token
    from redgrid_shared.settings import ServiceSettings
    warnings.filterwarnings("ignore", message="The HMAC key is")
    return mint_token(secret=ServiceSettings().jwt_secret, sub="ledger-import", role="admin",
                      community=community)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redgrid_dev import-ledger",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="the ledger, CSV (header first) or JSON Lines")
    parser.add_argument("--format", choices=("csv", "jsonl"), help="default: by extension")
    parser.add_argument("--token", help="an admin bearer token (default: $REDGRID_TOKEN, else a "
                                        "development token for --community)")
    parser.add_argument("--community", default="erqiaoxi",
                        help="community of the development token")
    parser.add_argument("--intake", default="http://127.0.0.1:8001")
    parser.add_argument("--dispatch", default="http://127.0.0.1:8002")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    token = args.token or os.environ.get("REDGRID_TOKEN") or dev_token(args.community)
    content = args.file.read_text(encoding="utf-8-sig")
    target = Target(args.intake, args.dispatch, token)
    try:
        with Progress() as progress:
            results = asyncio.run(import_ledger(content, fmt_of(args.file, args.format), target,
                                                progress=progress))
    except ImportFailed as err:
        print(f"error: {err}; nothing was imported", file=sys.stderr)
        for where, problem in err.fields.items():
            print(f"  {where}: {problem}", file=sys.stderr)
        return 1
    except httpx.TransportError as err:
        print(f"error: cannot reach the services ({err}); is `make run` up?", file=sys.stderr)
        return 1
    for service, r in results.items():
        print(f"{service}: {r['rows']} rows, {r['streams_written']} streams written "
              f"({r['events_written']} events), {r['streams_already']} already imported")
    return 0
