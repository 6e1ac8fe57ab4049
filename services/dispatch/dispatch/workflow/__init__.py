"""The staff workflow of an issue: the aggregate, its transition tables and decisions.

Other domains (meetings, staff availability) change an issue only through this API, inside
their own transaction:

    from dispatch.workflow import decide, stream
    issue = await stream.load(conn, issue_id)                    # NotFound if unknown
    events = decide.resolve_at_meeting(issue, by=recorder, now=now, meeting_date=day,
                                       note=note, timing=settings.timing)
    await stream.append(conn, issue, events, now=now)            # ConcurrencyConflict if moved

Meeting decisions: `decide.resolve_at_meeting`, `decide.assign_at_meeting` (to a unit),
`decide.refer(..., meeting_date=day)`, `decide.carry(..., to_meeting=next_day)`; backups:
`decide.cover(...)` (issue.assigned, reason backup_cover). Limits for a new assignment come
from `dispatch.sla` (`limits_for`); which escalated issues await which meeting from
`workflow.store.agenda` / `awaiting_meetings`. Refusals are `redgrid_shared.domain` errors.
"""
