-- Photos uploaded to POST /v1/media. The file is written (temp file, then rename) before this
-- row is committed and deleted only after the row is gone, so a row always has its file;
-- a crash in between leaves at most a file without a row, which the sweep removes.
CREATE TABLE media (
    id           text        PRIMARY KEY,              -- med-<32 hex>, also the storage key
    community    text        NOT NULL,
    uploaded_by  text        NOT NULL,                 -- person id (token `sub`) in that community
    content_type text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes   integer     NOT NULL CHECK (size_bytes > 0),
    width        integer     NOT NULL,
    height       integer     NOT NULL,
    sha256       text        NOT NULL,                 -- of the stored (cleaned) bytes
    -- The report that lists it; set once, in the report's transaction.
    issue_id     text        REFERENCES issues (id),
    created_at   timestamptz NOT NULL
);
CREATE INDEX media_by_issue ON media (issue_id) WHERE issue_id IS NOT NULL;
CREATE INDEX media_unattached ON media (created_at) WHERE issue_id IS NULL;
