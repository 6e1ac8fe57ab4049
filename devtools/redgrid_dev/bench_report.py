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


def print_report(r: dict) -> None:
    """The baselines and the system's figures side by side, with same-run ratios."""
    pg, kafka, conc = r["raw"]["asyncpg"], r["raw"]["kafka"], r["intake_concurrent"]
    frame = r["raw"]["framework"]
    seq, loop, idle = r["intake_sequential_ms"], r["open_loop"], r["idle_cpu"]
    hop, lat = kafka["round_trip_ms"], loop["report_to_assigned_ms"]
    rows = [
        ("raw asyncpg: tx (two ~1 KB rows), 16 conns", f"{pg['per_second']:.0f} tx/s", ""),
        ("raw aiokafka: produce / consume", f"{kafka['produce_per_second']:.0f} / "
         f"{kafka['consume_per_second']:.0f} rec/s", ""),
        ("raw aiokafka: one record round trip", f"p50 {hop['p50']} p99 {hop['p99']} ms", ""),
        (f"raw framework: POST, {frame['clients']} clients", f"{frame['per_second']:.0f}/s, "
         f"p99 {frame['latency_ms']['p99']} ms", "(no database, broker or token)"),
        (f"intake: POST, {conc['clients']} clients", f"{conc['per_second']:.0f}/s, p99 "
         f"{conc['latency_ms']['p99']} ms", f"{r['ratios']['intake_concurrent_vs_asyncpg']:.2f} x raw, "
         f"{r['ratios']['intake_concurrent_vs_framework']:.2f} x framework"),
        ("intake: one client in sequence", f"p50 {seq['p50']} ms", ""),
        ("dispatch+stats+intake view: backlog", f"{r['backlog']['per_second']:.0f} reports/s",
         f"{r['ratios']['backlog_vs_asyncpg']:.2f} x raw"),
        (f"open loop {loop['rate']:.0f}/s: report -> assigned", f"p50 {lat['p50']} p99 "
         f"{lat['p99']} ms", f"{lat['p50'] / max(hop['p50'], 0.01):.0f} x raw hop"),
        ("idle stack CPU", f"{idle['total_percent']}% of {idle['cores']} cores",
         ", ".join(f"{k} {v}" for k, v in idle["percent_of_all_cores"].items())),
    ]
    print()
    for name, value, ratio in rows:
        print(f"{name:<44}{value:<30}{ratio}")
    for phase, figures in (("framework alone", frame), ("intake, concurrent", conc),
                           ("backlog", r["backlog"])):
        if "cpu_ms_per_report" in figures:
            print(f"\nCPU per report, {phase} (ms): " + ", ".join(
                f"{k} {v}" for k, v in figures["cpu_ms_per_report"].items()))
    print_open_loop(loop)


def print_open_loop(loop: dict) -> None:
    """The open loop's latency and, when measured, its hops (p50 / p90)."""
    lat = loop["report_to_assigned_ms"]
    print(f"\nopen loop {loop['rate']:.0f}/s: report -> assigned p50 {lat['p50']} "
          f"p99 {lat['p99']} ms")
    for name, span in loop.get("hops_ms", {}).items():
        print(f"  {name:<42}p50 {span['p50']:>6} ms   p90 {span['p90']:>6} ms")
    if "cpu_ms_per_report" in loop:
        print("  CPU per report (ms): " + ", ".join(
            f"{k} {v}" for k, v in loop["cpu_ms_per_report"].items()))


def machine() -> dict:
    """Where the numbers come from."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "commit": commit or None}
