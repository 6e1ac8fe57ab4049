"""The short chaos run: reports keep coming while every service is SIGKILLed, PostgreSQL
crash-stops and the broker freezes; every accepted report is assigned once, counted once,
seen by its resident, and nothing is parked. The long run is `make chaos`."""

import shutil
import tempfile
from pathlib import Path

from redgrid_dev import chaos, chaos_check


async def test_no_report_is_lost_or_doubled_under_kills_crashes_and_freezes():
    tmp = Path(tempfile.mkdtemp(prefix="redgrid-test-chaos-"))
    cfg = chaos.Config(reports=300, rate=10.0, reporters=8, fault_every=2.0,
                       freeze_seconds=2.0, settle_timeout=120.0, seed=7)
    try:
        figures = await chaos.run(cfg, tmp, log=lambda *_: None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert all(n >= 1 for n in figures["faults_by_kind"].values()), figures
    assert figures["post_retries"] > 0, figures  # the faults were felt by the reporters
    assert chaos_check.passed(figures), figures
    assert figures["accepted"] == cfg.reports
