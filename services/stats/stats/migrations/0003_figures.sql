-- Figures for the operations desk (issue 7). The first projections (issue_facts,
-- issue_status_changes, grid_owners) are replaced; `python -m stats.rebuild` refills
-- everything from the log. See docs/decisions.md, "Stats: counters by bucket + exact rows".
DROP TABLE IF EXISTS issue_facts, issue_status_changes, grid_owners;

-- The events of each issue that stats reads, as they arrived (any order). An issue's
-- figures are always re-derived from all of them, so a late event lands where it belongs.
CREATE TABLE IF NOT EXISTS issue_events (
    event_id  uuid        PRIMARY KEY,
    community text        NOT NULL,
    issue_id  text        NOT NULL,
    type      text        NOT NULL,
    at        timestamptz NOT NULL,
    data      jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS issue_events_issue ON issue_events (community, issue_id);

-- Exact event-level contributions (person '' = the issue itself; else a credited person).
CREATE TABLE IF NOT EXISTS issue_flows (
    community text        NOT NULL,
    issue_id  text        NOT NULL,
    at        timestamptz NOT NULL,
    metric    text        NOT NULL,
    grid      text        NOT NULL,
    category  text        NOT NULL,
    source    text        NOT NULL,
    person    text        NOT NULL,
    n         integer     NOT NULL,
    amount    numeric     NOT NULL
);
CREATE INDEX IF NOT EXISTS issue_flows_issue ON issue_flows (community, issue_id);
CREATE INDEX IF NOT EXISTS issue_flows_at ON issue_flows (community, at);

-- Exact state intervals [from_at, to_at) of each issue; to_at null = current.
CREATE TABLE IF NOT EXISTS issue_states (
    community    text        NOT NULL,
    issue_id     text        NOT NULL,
    reported_at  timestamptz NOT NULL,
    from_at      timestamptz NOT NULL,
    to_at        timestamptz,
    status       text        NOT NULL,
    grid         text        NOT NULL,
    category     text        NOT NULL,
    source       text        NOT NULL,
    overdue      boolean     NOT NULL,
    steward      text        NOT NULL,
    repairer     text        NOT NULL,
    meeting_date date
);
CREATE INDEX IF NOT EXISTS issue_states_issue ON issue_states (community, issue_id);
-- "As of T": current intervals that began after T, and intervals that ended after T.
CREATE INDEX IF NOT EXISTS issue_states_current ON issue_states (community, from_at)
    WHERE to_at IS NULL;
CREATE INDEX IF NOT EXISTS issue_states_ended ON issue_states (community, to_at)
    INCLUDE (from_at, reported_at);
CREATE INDEX IF NOT EXISTS issue_states_reported ON issue_states (community, reported_at);
CREATE INDEX IF NOT EXISTS issue_states_overdue ON issue_states (community, from_at)
    WHERE overdue;
CREATE INDEX IF NOT EXISTS issue_states_escalated ON issue_states (community, meeting_date)
    WHERE status = 'escalated';

-- Counters per bucket (d = Shanghai day, m = month, y = year). kind f: events, bucket of
-- the event's time. kind s: current status of issues, bucket of the report's time.
-- grid '*' rows (and category/source '*' for events) are the community's totals.
CREATE TABLE IF NOT EXISTS counters (
    community text    NOT NULL,
    kind      text    NOT NULL,
    period    text    NOT NULL,
    bucket    date    NOT NULL,
    metric    text    NOT NULL,
    grid      text    NOT NULL,
    category  text    NOT NULL,
    source    text    NOT NULL,
    person    text    NOT NULL,
    n         bigint  NOT NULL,
    amount    numeric NOT NULL,
    PRIMARY KEY (community, kind, person, period, bucket, metric, grid, category, source)
);
-- The community's totals alone, covering what an unfiltered read needs: a year's summary
-- reads a few hundred index entries instead of every grid's rows.
CREATE INDEX IF NOT EXISTS counters_totals ON counters (community, kind, period, bucket)
    INCLUDE (metric, category, source, n, amount) WHERE grid = '*';
-- Per-grid reads (grid=, /grids) start from the grid.
CREATE INDEX IF NOT EXISTS counters_grid ON counters (community, kind, person, grid, period, bucket)
    WHERE grid <> '*';

-- Who held each grid from when (one row per grid.configured).
CREATE TABLE IF NOT EXISTS grid_holders (
    event_id  uuid        PRIMARY KEY,
    community text        NOT NULL,
    grid_id   text        NOT NULL,
    name      text        NOT NULL,
    steward   text        NOT NULL,
    repairer  text        NOT NULL,
    from_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS grid_holders_grid ON grid_holders (community, grid_id, from_at);

CREATE TABLE IF NOT EXISTS meetings (
    event_id     uuid        PRIMARY KEY,
    community    text        NOT NULL,
    meeting_date date        NOT NULL,
    recorded_at  timestamptz NOT NULL,
    attendees    integer     NOT NULL,
    decisions    jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS meetings_date ON meetings (community, meeting_date);

CREATE TABLE IF NOT EXISTS campaigns (
    community   text        NOT NULL,
    campaign_id text        NOT NULL,
    name        text        NOT NULL,
    categories  jsonb       NOT NULL,
    departments jsonb       NOT NULL,
    starts_on   date        NOT NULL,
    ends_on     date        NOT NULL,
    opened_at   timestamptz NOT NULL,
    closed_at   timestamptz,
    results     text,
    PRIMARY KEY (community, campaign_id)
);

CREATE TABLE IF NOT EXISTS campaign_issues (
    community   text        NOT NULL,
    campaign_id text        NOT NULL,
    issue_id    text        NOT NULL,
    added_at    timestamptz NOT NULL,
    PRIMARY KEY (community, campaign_id, issue_id)
);

-- Leave and return of staff (staff.availability-changed), for "available as of".
CREATE TABLE IF NOT EXISTS staff_availability (
    event_id  uuid        PRIMARY KEY,
    community text        NOT NULL,
    staff_id  text        NOT NULL,
    available boolean     NOT NULL,
    at        timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_availability_staff ON staff_availability (community, staff_id, at);
