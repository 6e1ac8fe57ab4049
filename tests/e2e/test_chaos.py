"""The short chaos run: reports keep coming while every service is SIGKILLed, PostgreSQL
crash-stops and the broker freezes; every accepted report is assigned once, counted once,
seen by its resident, and nothing is parked. A quarter of the reports is left un-signed with
SLAs scaled so their sign-off deadlines pass during the faults, while dispatch is killed, once
in the middle of firing them: each passed deadline gives one issue.overdue and one
issue.escalated, shows `escalated` to its resident and in stats. An eighth is signed off by an
operator through the faults (one issue.accepted each). The long run is `make chaos`."""

import shutil
import tempfile
from pathlib import Path

from redgrid_dev import chaos, chaos_check


async def test_no_report_or_deadline_is_lost_or_doubled_under_kills_crashes_and_freezes():
    tmp = Path(tempfile.mkdtemp(prefix="redgrid-test-chaos-"))
    cfg = chaos.Config(reports=240, rate=10.0, reporters=8, fault_every=2.0,
                       freeze_seconds=2.0, settle_timeout=120.0, seed=7,
                       unsigned_every=4, signoff_seconds=5.0, dispatch_down=1.5, signed_every=8)
    try:
        figures = await chaos.run(cfg, tmp, log=lambda *_: None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert all(n >= 1 for n in figures["faults_by_kind"].values()), figures
    assert figures["post_retries"] > 0, figures  # the faults were felt by the reporters
    assert chaos_check.passed(figures), figures
    assert figures["accepted"] == cfg.reports
    assert figures["deadlines_passed"] == figures["unsigned"] == cfg.reports // 4, figures
    assert figures["mid_fire_kills"] >= 1, figures  # dispatch died with due timers unfired
    assert figures["signed_off"] == cfg.reports // 8, figures
