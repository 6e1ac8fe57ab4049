"""How `make bench` summarises what it measured: percentiles, a table, the machine."""

from __future__ import annotations

import math
import os
import platform
import subprocess


def percentiles(seconds: list[float]) -> dict[str, float]:
    """n, mean, p50/p95/p99/max in milliseconds (nearest rank)."""
    if not seconds:
        return {"n": 0}
    ms = sorted(s * 1000 for s in seconds)
    rank = lambda q: ms[max(0, math.ceil(q * len(ms)) - 1)]  # noqa: E731
    return {"n": len(ms), "mean": round(sum(ms) / len(ms), 2), "p50": round(rank(0.50), 2),
            "p95": round(rank(0.95), 2), "p99": round(rank(0.99), 2), "max": round(ms[-1], 2)}


def print_table(results: dict) -> None:
    """The latency percentiles and throughput figures as a plain table."""
    print(f"\n{'measure':<28}{'n':>6}{'p50':>10}{'p95':>10}{'p99':>10}{'max':>10}   (ms)")
    tp = results["throughput"]
    rows = {**results["latency_ms"], f"post_201 @{tp['concurrency']} conc": tp["post_201_ms"]}
    for name, p in rows.items():
        print(f"{name:<28}{p['n']:>6}" + "".join(f"{p.get(q, 0):>10.1f}" for q in ("p50", "p95", "p99", "max")))
    print(f"\nthroughput: {tp['reports']} reports by {tp['concurrency']} reporters: "
          f"{tp['accepted_per_second']} reports/s accepted ({tp['accept_seconds']} s); "
          f"all assigned after {tp['all_assigned_seconds']} s, all counted after {tp['all_counted_seconds']} s")


def machine() -> dict:
    """Where the numbers come from."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "commit": commit or None}
