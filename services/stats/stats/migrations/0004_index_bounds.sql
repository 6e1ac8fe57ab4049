-- Indexes that answer "as of T" and the overdue list inside the index (0003's first shape
-- fetched every candidate row to check its other bounds), and a totals index that covers
-- the person column too, so unfiltered reads stay index-only.
DROP INDEX IF EXISTS issue_states_current;
CREATE INDEX IF NOT EXISTS issue_states_current ON issue_states (community, from_at, reported_at)
    WHERE to_at IS NULL;
DROP INDEX IF EXISTS issue_states_ended;
CREATE INDEX IF NOT EXISTS issue_states_ended
    ON issue_states (community, to_at, from_at, reported_at);
DROP INDEX IF EXISTS issue_states_overdue;
CREATE INDEX IF NOT EXISTS issue_states_overdue ON issue_states (community, from_at)
    WHERE overdue AND to_at IS NULL;
DROP INDEX IF EXISTS counters_totals;
CREATE INDEX IF NOT EXISTS counters_totals ON counters (community, kind, period, bucket)
    INCLUDE (person, metric, category, source, n, amount) WHERE grid = '*';
