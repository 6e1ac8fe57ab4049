-- The sign-off and completion limits dispatch applies in each community, learnt from its
-- `sla.changed` events; categories without a row use the catalogue's defaults.
CREATE TABLE category_limits (
    community          text        NOT NULL,
    category           text        NOT NULL,
    signoff_minutes    integer     NOT NULL CHECK (signoff_minutes > 0),
    completion_minutes integer     NOT NULL CHECK (completion_minutes > 0),
    changed_at         timestamptz NOT NULL,
    PRIMARY KEY (community, category)
);
