"""The short chaos run: reports keep coming while every service is SIGKILLed, PostgreSQL
crash-stops and the broker freezes, and the workflow goes on under the same faults: sign-off
deadlines pass (dispatch killed once in the middle of firing them), operators sign off and
resolve, completion limits pass, a clock jump brings every 7-day close due while residents'
confirms and reopens race it, and a 逢四说事 meeting's minutes are recorded. Every event the run
caused is stored once (none missing, none doubled), every issue ends in its status for its
resident, stats agree, nothing is parked. To stay short, faults pause 30 s after the last
report until the staff work is done (each dispatch restart costs it 10-25 s of consuming),
then resume for the residents' race, the clock jump and the minutes."""

import shutil
import tempfile
from pathlib import Path

from redgrid_dev import chaos, chaos_check


async def test_no_report_deadline_close_or_decision_is_lost_or_doubled_under_faults():
    tmp = Path(tempfile.mkdtemp(prefix="redgrid-test-chaos-"))
    cfg = chaos.Config(reports=160, rate=16.0, reporters=8, fault_every=3.0,
                       freeze_seconds=2.0, settle_timeout=150.0, seed=7,
                       signoff_seconds=5.0, dispatch_down=1.5, fault_tail=30.0)
    try:
        figures = await chaos.run(cfg, tmp, log=lambda *_: None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert chaos_check.passed(figures), figures
    assert all(n >= 1 for n in figures["faults_by_kind"].values()), figures
    assert figures["retries"]["report"] > 0, figures  # the faults were felt by the reporters
    assert figures["mid_fire_kills"] >= 1, figures  # dispatch died with due timers unfired
    assert figures["accepted"] == cfg.reports
    assert figures["cohorts"] == {"unsigned": 40, "signed": 20, "plain": 40, "completion": 20,
                                  "closing": 20, "racing": 20}, figures
    # Each kind of event happened, and as often as the run caused it (stored/expected).
    for kind in ("overdue", "escalated", "resolved", "closed", "referred",
                 "resident-action-settled"):
        stored, wanted = figures["events"][kind].split("/")
        assert stored == wanted and int(wanted) > 0, (kind, figures)
    assert sum(figures["resident_actions"].values()) == 20, figures
    assert set(figures["meeting_decisions"]) == {"resolved", "assigned", "referred", "carried"}
    assert figures["meetings_held"] == 1, figures
    assert figures["faults"] > figures["faults_before_race"], figures  # faults resumed
