"""Plain builder functions for intake tests: tokens, principals, report bodies, events."""

import uuid
from datetime import datetime, timedelta, timezone

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
