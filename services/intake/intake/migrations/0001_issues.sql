-- The issue as residents see it: a read model of intake's own issue stream plus the
-- dispatch events that concern the resident (assignment, deadlines, later the staff workflow).
CREATE TABLE issues (
    id                       text        PRIMARY KEY,
    community                text        NOT NULL,
    reporter_id              text        NOT NULL,  -- the resident the issue belongs to
    reported_by              text        NOT NULL,  -- who submitted it (staff on behalf, or the resident)
    category                 text        NOT NULL,
    description              text        NOT NULL,
    building                 text        NOT NULL,
    unit                     text,
    vulnerable               text        CHECK (vulnerable IN ('elderly', 'child')),
    photos                   jsonb       NOT NULL DEFAULT '[]',
    source                   text        NOT NULL,
    status                   text        NOT NULL,
    grid_id                  text,
    steward_id               text,
    repairer_id              text,
    signoff_due_at           timestamptz,
    -- The completion clock starts at sign-off; the limit waits here until then.
    completion_limit_minutes integer,
    completion_due_at        timestamptz,
    meeting_date             date,
    -- Version of the `issue-<id>` stream this row reflects; later resident commands
    -- (comment, cancel, confirm, reopen, rating) append at this expected version.
    stream_version           integer     NOT NULL,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL
);

-- Keyset pages, newest first, within each visibility scope.
CREATE INDEX issues_by_reporter ON issues (reporter_id, created_at DESC, id DESC);
CREATE INDEX issues_by_community ON issues (community, created_at DESC, id DESC);
CREATE INDEX issues_by_grid ON issues (grid_id, created_at DESC, id DESC) WHERE grid_id IS NOT NULL;

-- What the resident and the grid's staff may read of each event, oldest first.
-- Keyed on the event id so a redelivered event cannot add a second row.
CREATE TABLE issue_timeline (
    event_id    uuid        PRIMARY KEY,
    issue_id    text        NOT NULL REFERENCES issues (id),
    seq         bigserial   NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        jsonb       NOT NULL
);
CREATE INDEX issue_timeline_by_issue ON issue_timeline (issue_id, occurred_at, seq);
