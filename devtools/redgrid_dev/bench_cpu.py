"""CPU used by a set of process trees over a window, as a share of all cores."""

from __future__ import annotations

import asyncio
import os

import psutil


def _trees(pids: list[int]) -> list[psutil.Process]:
    found: dict[int, psutil.Process] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                found[p.pid] = p
        except psutil.NoSuchProcess:
            pass
    return list(found.values())


def _cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    out = {}
    for p in processes:
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return out


async def cpu_share(groups: dict[str, list[int]], seconds: float = 10.0) -> dict:
    """Percent of all cores each group of process trees used during `seconds`, and in total."""
    trees = {name: _trees(pids) for name, pids in groups.items()}
    before = {name: _cpu_seconds(ps) for name, ps in trees.items()}
    await asyncio.sleep(seconds)
    after = {name: _cpu_seconds(ps) for name, ps in trees.items()}
    cores = os.cpu_count() or 1
    shares = {}
    for name in groups:
        used = sum(after[name][pid] - before[name].get(pid, after[name][pid])
                   for pid in after[name])
        shares[name] = round(100 * used / (seconds * cores), 2)
    return {"seconds": seconds, "cores": cores, "percent_of_all_cores": shares,
            "total_percent": round(sum(shares.values()), 2)}


def postmaster_pid(data_dir) -> int | None:
    """The PostgreSQL server's pid from its data folder, if it runs there."""
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
