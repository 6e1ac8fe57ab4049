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


class CpuWindow:
    """CPU seconds each group of process trees uses between construction and `per_item`,
    divided over the items done meanwhile: what one report costs each part of the stack
    while a throughput phase runs. Trees are walked again at the end, so processes started
    meanwhile (a pool's new PostgreSQL backends) count in full; `alone` groups are single
    processes without their children (the bench itself, whose children are the stack)."""

    def __init__(self, groups: dict[str, list[int]], alone: dict[str, int] | None = None):
        self._groups, self._alone = groups, alone or {}
        self._before = self._now()

    def _now(self) -> dict[str, dict[int, float]]:
        trees = {name: _trees(pids) for name, pids in self._groups.items()}
        for name, pid in self._alone.items():
            trees[name] = [psutil.Process(pid)]
        return {name: _cpu_seconds(ps) for name, ps in trees.items()}

    def per_item(self, items: int) -> dict[str, float]:
        """Milliseconds of CPU per item by group, with their total."""
        out = {}
        for name, after in self._now().items():
            used = sum(t - self._before[name].get(pid, 0.0) for pid, t in after.items())
            out[name] = round(1000 * used / max(items, 1), 3)
        return {**out, "total": round(sum(out.values()), 3)}


def postmaster_pid(data_dir) -> int | None:
    """The PostgreSQL server's pid from its data folder, if it runs there."""
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
