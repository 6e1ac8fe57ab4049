"""Plain builder functions for intake tests: tokens, principals, report bodies, events."""

import uuid
from datetime import date, datetime, timedelta, timezone

from redgrid_shared import events
from redgrid_shared.auth import Principal, mint_token

SECRET = "intake-test-secret-of-at-least-32-bytes"
COMMUNITY = "erqiaoxi"


def report(**overrides) -> dict:
    body = {"category": "repair.pipe", "description": "kitchen drain blocked",
            "building": "b-03", "unit": "2-301", "vulnerable": None,
            "photos": [], "source": "app"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def principal(**overrides) -> Principal:
    claims = {"sub": "u-1001", "role": "resident", "community": COMMUNITY, "grids": ()}
    claims.update(overrides)
    return Principal(**claims)


def token(*, sub: str = "u-1001", role: str = "resident", community: str = COMMUNITY,
          grids: tuple[str, ...] = (), ttl_seconds: int = 3600, secret: str = SECRET) -> str:
    return mint_token(secret=secret, sub=sub, role=role, community=community, grids=grids,
                      ttl_seconds=ttl_seconds)


def auth(**kwargs) -> dict:
    return {"Authorization": f"Bearer {token(**kwargs)}"}


def issue_assigned(issue_id: str, **overrides) -> events.Envelope:
    data = {"issue_id": issue_id, "community": COMMUNITY, "grid_id": "g-03",
            "steward_id": "s-01", "repairer_id": "r-01", "category": "repair.pipe",
            "signoff_due_at": datetime.now(timezone.utc) + timedelta(hours=2),
            "completion_limit_minutes": 4320}
    data.update(overrides)
    return events.envelope(events.IssueAssigned(**data), service="dispatch", subject=issue_id,
                           event_id=uuid.uuid4())


def issue_unroutable(issue_id: str, **overrides) -> events.Envelope:
    data = {"issue_id": issue_id, "community": COMMUNITY, "building": "b-99",
            "reason": "no grid covers building b-99"}
    data.update(overrides)
    return events.envelope(events.IssueUnroutable(**data), service="dispatch", subject=issue_id)


def _step_defaults(cls: type, now: datetime) -> dict:
    return {
        events.IssueAccepted: {"signoff_due_at": now + timedelta(hours=2), "on_time": True,
                               "completion_due_at": now + timedelta(hours=72)},
        events.IssueStarted: {},
        events.IssueResolved: {"note": "疏通完成", "close_due_at": now + timedelta(days=7)},
        events.IssueReturned: {"reason": "需要专业设备", "role": "repairer", "by": "r-01"},
        events.IssueEscalated: {"meeting_date": date(2025, 3, 24), "reason": "超时未办",
                                "cause": "overdue", "by": "clock"},
        events.IssueReferred: {"department": "street_office", "by": "o-1"},
        events.IssueReferralOutcome: {"department": "street_office", "outcome": "已协调解决",
                                      "resolved": True, "status": "resolved", "by": "o-1"},
        events.IssueOverdue: {"deadline": "signoff", "due_at": now, "status": "assigned",
                              "by": "clock"},
        events.IssueClosed: {"reason": "no_response_7_days", "by": "clock"},
        events.ResidentActionSettled: {"action": "cancel", "action_event_id": str(uuid.uuid4()),
                                       "outcome": "applied", "status": "cancelled",
                                       "by": "dispatch"},
    }[cls]


def step(cls: type, issue_id: str, *, at: datetime | None = None,
         **overrides) -> events.Envelope:
    """A dispatch staff-workflow event (events.IssueStep subclass) on an issue."""
    now = at or datetime.now(timezone.utc)
    data = {"issue_id": issue_id, "community": COMMUNITY, "grid_id": "g-03", "by": "s-01",
            **_step_defaults(cls, now), **overrides}
    return events.envelope(cls(**data), service="dispatch", subject=issue_id, time=now)


def settled(issue_id: str, action_event_id: str, *, action: str = "cancel",
            outcome: str = "applied", status: str = "cancelled", **overrides) -> events.Envelope:
    return step(events.ResidentActionSettled, issue_id, action=action, outcome=outcome,
                status=status, action_event_id=action_event_id, **overrides)


def sla_changed(category: str, signoff: int, completion: int, *, community: str = COMMUNITY,
                at: datetime | None = None) -> events.Envelope:
    data = events.SlaChanged(community=community, category=category, signoff_minutes=signoff,
                             completion_minutes=completion, changed_by="a-01")
    return events.envelope(data, service="dispatch", subject=f"sla-{community}", time=at)
