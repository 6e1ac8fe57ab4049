from redgrid_shared import events
from stats import projections


class RecordingConnection:
    """Stands in for asyncpg: keeps every statement so a test sees what would be written."""

    def __init__(self):
        self.statements: list[tuple[str, tuple]] = []

    async def execute(self, sql: str, *args):
        self.statements.append((sql, args))


def _status_writes(conn):
    return [args for sql, args in conn.statements if "issue_status_changes" in sql]


async def test_unknown_event_types_write_nothing():
    conn = RecordingConnection()
    env = events.Envelope(type="org.redgrid.issue.commented", source="/redgrid/intake",
                          subject="i-1", data={"issue_id": "i-1", "text": "hi"})
    await projections.apply(conn, env)
    assert conn.statements == []


async def test_a_lifecycle_event_becomes_a_status_change_at_its_event_time():
    conn = RecordingConnection()
    env = events.Envelope(type="org.redgrid.issue.resolved", source="/redgrid/dispatch",
                          subject="i-9", data={"issue_id": "i-9"})
    await projections.apply(conn, env)
    [(event_id, issue_id, status, _rank, grid, at)] = _status_writes(conn)
    assert (event_id, issue_id, status, grid, at) == (env.id, "i-9", "resolved", None, env.time)


async def test_an_assignment_records_its_grid_in_the_status_history():
    conn = RecordingConnection()
    data = events.IssueAssigned(issue_id="i-2", community="c", grid_id="g-3", steward_id="s",
                                category="repair.pipe", signoff_due_at="2024-03-01T00:00:00Z",
                                completion_limit_minutes=60)
    await projections.apply(conn, events.envelope(data, service="dispatch", subject="i-2"))
    [(_, issue_id, status, _, grid, _)] = _status_writes(conn)
    assert (issue_id, status, grid) == ("i-2", "assigned", "g-3")
