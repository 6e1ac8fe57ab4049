-- The staff workflow: dispatch_issues becomes the working row of every issue (kept in the
-- transaction of each append to its dispatch stream), deadlines become stored timers, and
-- SLA limits become data a community's admin can change.

ALTER TABLE dispatch_issues
    ADD COLUMN reporter_id        text,
    ADD COLUMN unit               text,         -- the resident's unit, from issue.reported
    ADD COLUMN completion_due_at  timestamptz,
    ADD COLUMN resolved_at        timestamptz,
    ADD COLUMN close_due_at       timestamptz,
    ADD COLUMN meeting_date       date,         -- the meeting whose agenda holds it
    ADD COLUMN department         text,         -- while referred
    ADD COLUMN assigned_unit      text,         -- a unit a meeting gave the work to
    ADD COLUMN queue_reason       text,         -- why an operator must act (queue)
    ADD COLUMN due_at             timestamptz,  -- the deadline running now (tasks order)
    ADD COLUMN tie_rank           smallint NOT NULL DEFAULT 1;  -- 0: urgent or 一老一小

-- Rows from before: their one event was issue.assigned or issue.unroutable.
UPDATE dispatch_issues SET due_at = signoff_due_at,
       tie_rank = CASE WHEN urgent OR vulnerable IS NOT NULL THEN 0 ELSE 1 END,
       queue_reason = unroutable_reason;

CREATE INDEX dispatch_issues_tasks ON dispatch_issues (due_at, tie_rank, issue_id)
    WHERE status IN ('assigned', 'accepted', 'in_progress');
CREATE INDEX dispatch_issues_queue ON dispatch_issues (community, updated_at, issue_id)
    WHERE status IN ('unroutable', 'returned');
CREATE INDEX dispatch_issues_agenda ON dispatch_issues (community, meeting_date)
    WHERE status = 'escalated';

-- Deadlines as rows, written with the event that sets them; a worker fires the due ones
-- (SELECT ... FOR UPDATE SKIP LOCKED), so a restart or a second replica fires each once.
CREATE TABLE timers (
    issue_id  text        NOT NULL,
    kind      text        NOT NULL CHECK (kind IN ('signoff', 'completion', 'auto_close')),
    due_at    timestamptz NOT NULL,
    fired_at  timestamptz,
    PRIMARY KEY (issue_id, kind, due_at)
);
CREATE INDEX timers_pending ON timers (due_at) WHERE fired_at IS NULL;

INSERT INTO timers (issue_id, kind, due_at)
SELECT issue_id, 'signoff', signoff_due_at FROM dispatch_issues
 WHERE status = 'assigned' AND signoff_due_at IS NOT NULL;

-- A community's SLA overrides (stream sla-<community>); categories absent here keep the
-- catalogue's defaults.
CREATE TABLE sla_limits (
    community          text        NOT NULL,
    category           text        NOT NULL,
    signoff_minutes    integer     NOT NULL CHECK (signoff_minutes > 0),
    completion_minutes integer     NOT NULL CHECK (completion_minutes > 0),
    changed_by         text        NOT NULL,
    changed_at         timestamptz NOT NULL,
    version            integer     NOT NULL,
    PRIMARY KEY (community, category)
);
