-- Read models of stats, all rebuildable from the topics. Times are event times, never
-- arrival times, so a late or out-of-order event lands where it belongs in history.

-- One row per issue: what it is and where it was reported. Filled by whichever of its
-- events arrives first; issue.reported then fills what an earlier assignment could not.
CREATE TABLE IF NOT EXISTS issue_facts (
    issue_id    text        PRIMARY KEY,
    community   text        NOT NULL,
    grid_id     text,                    -- grid of the latest assignment (by event time)
    grid_at     timestamptz,             -- time of that assignment
    category    text,
    source      text,
    vulnerable  text,
    reported_at timestamptz              -- null until issue.reported arrives: not collected yet
);
CREATE INDEX IF NOT EXISTS issue_facts_community_reported
    ON issue_facts (community, reported_at);

-- Append-only status history: the status as of T is the latest change with at <= T.
-- rank breaks ties between changes with the same event time in lifecycle order.
CREATE TABLE IF NOT EXISTS issue_status_changes (
    event_id uuid        PRIMARY KEY,
    issue_id text        NOT NULL,
    status   text        NOT NULL,
    rank     smallint    NOT NULL,
    grid_id  text,                       -- set by assignments: the grid as of T comes from here
    at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS issue_status_changes_issue_at
    ON issue_status_changes (issue_id, at DESC, rank DESC);

-- Who owned a grid from when: one row per grid.configured, for per-person figures.
CREATE TABLE IF NOT EXISTS grid_owners (
    event_id  uuid        PRIMARY KEY,
    grid_id   text        NOT NULL,
    community text        NOT NULL,
    name      text        NOT NULL,
    steward   text        NOT NULL,
    repairer  text        NOT NULL,
    from_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS grid_owners_grid_from ON grid_owners (grid_id, from_at DESC);
CREATE INDEX IF NOT EXISTS grid_owners_community ON grid_owners (community, from_at);
