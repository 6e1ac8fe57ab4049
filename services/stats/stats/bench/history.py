"""A synthetic community year for the benchmark: issues with a realistic mix of lifecycles,
grids that change hands, 逢四说事 meetings deciding escalated issues, and campaigns.

Events come out in event-time order (as a live log would have them), generated lazily so a
year of 100k issues never sits in memory at once.
"""

import heapq
import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from redgrid_shared import events
from redgrid_shared.events import Envelope

CATEGORIES = [("repair.paid", 26), ("repair.public", 30), ("repair.pipe", 8),
              ("repair.ac_drip", 1), ("repair.seepage", 6), ("safety.fire", 5),
              ("environment.sanitation", 7), ("dispute.neighbor", 8), ("service.needs", 4),
              ("suggestion", 3), ("other", 2)]
SOURCES = [("app", 70), ("meeting", 12), ("grid_visit", 10), ("hotline", 8)]
GRIDS = 12


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


class Year:
    """`issues` issues reported over `days` days from `start` in community `community`."""

    def __init__(self, community: str, *, issues: int, start: datetime, days: int = 365,
                 seed: int = 7):
        self.community, self.issues, self.start, self.days = community, issues, start, days
        self.rng = random.Random(seed)
        self.holders = {g: (f"s-{g:02d}", f"r-{g:02d}") for g in range(1, GRIDS + 1)}
        self.agenda: dict[date, list[str]] = {}
        self.fire: list[str] = []
        self.count = 0

    def _env(self, data: events.EventData, subject: str, at: datetime) -> Envelope:
        service = "intake" if data.TYPE in ("issue.reported", "issue.rated",
                                            "issue.reopened") else "dispatch"
        return events.envelope(data, service=service, subject=subject, time=at)

    def _grids(self, at: datetime) -> list[Envelope]:
        out = []
        for g, (steward, repairer) in self.holders.items():
            out.append(self._env(events.GridConfigured(
                grid_id=f"g-{g:02d}", community=self.community, name=f"第{g}网格",
                buildings=[f"b-{g:02d}"], steward=steward, repairer=repairer,
                configured_by="a-1"), f"g-{g:02d}", at))
        return out

    def _issue(self, at: datetime) -> list[Envelope]:
        rng, c = self.rng, self.community
        i = f"iss-{uuid.UUID(int=rng.getrandbits(128)).hex[:16]}"
        category, g = _pick(rng, CATEGORIES), rng.randint(1, GRIDS)
        if category == "safety.fire":
            self.fire = (self.fire + [i])[-60:]
        grid, (steward, repairer) = f"g-{g:02d}", self.holders[g]
        out = [self._env(events.IssueReported(
            issue_id=i, community=c, reporter_id="u-1", reported_by="u-1", category=category,
            description="…", building=f"b-{g:02d}", source=_pick(rng, SOURCES)), i, at)]
        t = at + timedelta(seconds=rng.randint(1, 30))
        out.append(self._env(events.IssueAssigned(
            issue_id=i, community=c, grid_id=grid, steward_id=steward, repairer_id=repairer,
            category=category, signoff_due_at=t + timedelta(hours=2),
            completion_limit_minutes=4320), i, t))
        common = {"issue_id": i, "community": c, "grid_id": grid}
        late = rng.random() < 0.08
        t += timedelta(minutes=rng.randint(150, 600) if late else rng.randint(3, 110))
        if late:
            out.append(self._env(events.IssueOverdue(
                **common, by="clock", status="assigned", deadline="signoff",
                due_at=t), i, t - timedelta(minutes=1)))
        if rng.random() < 0.03:
            out.append(self._env(events.IssueReturned(**common, by=repairer, reason="not ours",
                                                      role="repairer"), i, t))
            t += timedelta(minutes=rng.randint(10, 200))
            out.append(self._env(events.IssueAssigned(
                issue_id=i, community=c, grid_id=grid, steward_id=steward,
                repairer_id=repairer, category=category, reason="manual",
                signoff_due_at=t + timedelta(hours=2), completion_limit_minutes=4320), i, t))
            t += timedelta(minutes=rng.randint(3, 60))
        if rng.random() < 0.06:  # escalated to the next meeting, decided there
            meeting = _next_meeting(t)
            out.append(self._env(events.IssueEscalated(
                **common, by=steward, meeting_date=meeting, reason="needs the meeting",
                cause="steward"), i, t))
            self.agenda.setdefault(meeting, []).append(i)
            return out
        out.append(self._env(events.IssueAccepted(
            **common, by=steward, signoff_due_at=t, on_time=not late,
            completion_due_at=t + timedelta(days=3)), i, t))
        if rng.random() < 0.05:
            return out  # still open
        t += timedelta(hours=rng.uniform(1, 90))
        paid = Decimal(rng.randint(20, 300)) if category == "repair.paid" else None
        out.append(self._env(events.IssueResolved(
            **common, by=repairer, note="done", amount_charged=paid, on_time=rng.random() < 0.9,
            completion_due_at=t, close_due_at=t + timedelta(days=7)), i, t))
        if rng.random() < 0.45:
            out.append(self._env(events.IssueRated(
                issue_id=i, community=c, by="u-1", score=rng.choices([5, 4, 3, 2, 1],
                                                                     [60, 25, 8, 4, 3])[0]),
                i, t + timedelta(hours=rng.uniform(1, 48))))
        out.append(self._env(events.IssueClosed(**common, by="clock", reason="no_response_7_days"),
                             i, t + timedelta(days=7)))
        return out

    def _meeting(self, day: date) -> list[Envelope]:
        waiting = self.agenda.pop(day, [])
        at = datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(hours=8)
        decisions = [events.MeetingDecision(issue_id=i, decision=self.rng.choice(
            ["resolved", "resolved", "referred", "assigned"])) for i in waiting]
        return [self._env(events.MeetingHeld(
            community=self.community, meeting_date=day, recorded_by="o-1",
            attendees=events.Attendees(community=["o-1", "o-2"], volunteers=["v-1"]),
            decisions=decisions), day.isoformat(), at)]

    def __iter__(self) -> Iterator[Envelope]:
        """Every event of the year in event-time order."""
        pending: list[tuple[datetime, int, Envelope]] = []
        seq = 0
        step = timedelta(days=self.days) / max(self.issues, 1)
        for env in self._grids(self.start - timedelta(days=1)):
            yield env
        meeting_days = [d for d in (self.start.date() + timedelta(days=n)
                                    for n in range(self.days + 10)) if d.day in (4, 14, 24)]
        for n in range(self.issues):
            at = self.start + step * n
            while meeting_days and datetime.combine(meeting_days[0], datetime.min.time(),
                                                    timezone.utc) + timedelta(hours=8) <= at:
                for env in self._meeting(meeting_days.pop(0)):
                    seq += 1
                    heapq.heappush(pending, (env.time, seq, env))
            if n % 7000 == 3500:  # a campaign every few weeks, with the recent fire hazards
                for env in self._campaign(at):
                    seq += 1
                    heapq.heappush(pending, (at, seq, env))
            if n % 20000 == 10000:  # a grid changes hands
                g = self.rng.randint(1, GRIDS)
                self.holders[g] = (f"s-{g:02d}-{n}", self.holders[g][1])
                for env in self._grids(at)[g - 1:g]:
                    seq += 1
                    heapq.heappush(pending, (env.time, seq, env))
            for env in self._issue(at):
                seq += 1
                heapq.heappush(pending, (env.time, seq, env))
            while pending and pending[0][0] <= at:
                self.count += 1
                yield heapq.heappop(pending)[2]
        while pending:
            self.count += 1
            yield heapq.heappop(pending)[2]

    def _campaign(self, at: datetime) -> list[Envelope]:
        cid = f"k-{at:%Y%m%d}"
        return [self._env(events.CampaignOpened(
            campaign_id=cid, community=self.community, name="消防通道整治",
            categories=["safety.fire"], departments=["fire", "police"], starts_on=at.date(),
            ends_on=at.date() + timedelta(days=30), opened_by="o-1"), cid, at),
                self._env(events.CampaignIssuesAdded(
                    campaign_id=cid, community=self.community, issue_ids=list(self.fire),
                    added_by="o-1"), cid, at)]


def _next_meeting(t: datetime) -> date:
    d = t.date() + timedelta(days=1)
    while d.day not in (4, 14, 24):
        d += timedelta(days=1)
    return d
