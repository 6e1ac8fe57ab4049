-- Meetings, campaigns and staff availability. Each table is a projection written in the same
-- transaction as the event it follows; the event streams stay the source of truth.

-- Minutes recorded, one row per (community, date); the stream meeting-<community>/<date>
-- holds the meeting.held event itself.
CREATE TABLE meetings (
    community    text        NOT NULL,
    meeting_date date        NOT NULL,
    recorded_by  text        NOT NULL,
    recorded_at  timestamptz NOT NULL,
    attendees    jsonb       NOT NULL,
    decisions    jsonb       NOT NULL,
    PRIMARY KEY (community, meeting_date)
);

-- 专项整治 campaigns; ids are numbered per community (cmp-1, cmp-2...).
CREATE TABLE campaigns (
    community   text        NOT NULL,
    campaign_id text        NOT NULL,
    seq         integer     NOT NULL,
    name        text        NOT NULL,
    categories  text[]      NOT NULL,
    departments text[]      NOT NULL,
    starts_on   date        NOT NULL,
    ends_on     date        NOT NULL,
    status      text        NOT NULL DEFAULT 'open',  -- open | closed
    results     text,
    opened_by   text        NOT NULL,
    opened_at   timestamptz NOT NULL,
    closed_by   text,
    closed_at   timestamptz,
    version     integer     NOT NULL,
    PRIMARY KEY (community, campaign_id),
    UNIQUE (community, seq)
);

CREATE TABLE campaign_issues (
    community   text        NOT NULL,
    campaign_id text        NOT NULL,
    issue_id    text        NOT NULL,
    added_at    timestamptz NOT NULL,
    PRIMARY KEY (community, campaign_id, issue_id),
    FOREIGN KEY (community, campaign_id) REFERENCES campaigns (community, campaign_id)
);

-- Who is on leave now; the stream staff-<community>/<id> keeps every change.
CREATE TABLE staff_availability (
    community  text        NOT NULL,
    staff_id   text        NOT NULL,
    available  boolean     NOT NULL,
    changed_at timestamptz NOT NULL,
    changed_by text        NOT NULL,
    note       text,
    version    integer     NOT NULL,
    PRIMARY KEY (community, staff_id)
);

-- What the resident wrote, from issue.reported: a meeting's agenda shows it.
ALTER TABLE dispatch_issues ADD COLUMN description text;
