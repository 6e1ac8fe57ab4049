-- The grid directory: the current configuration of each grid, a projection of its
-- grid.configured events kept in the same transaction as the append. Who held a grid when
-- is answered by the grid's event stream, not by this table.
CREATE TABLE grids (
    grid_id         text        PRIMARY KEY,
    community       text        NOT NULL,
    name            text        NOT NULL,
    buildings       text[]      NOT NULL,
    steward         text        NOT NULL,
    repairer        text        NOT NULL,
    backup_steward  text,
    backup_repairer text,
    members         jsonb       NOT NULL DEFAULT '[]',
    version         integer     NOT NULL,
    configured_by   text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX grids_by_community ON grids (community, grid_id);

-- One grid per building per community: the primary key is what stops two grids (even two
-- concurrent PUTs) from claiming the same building.
CREATE TABLE grid_buildings (
    community text NOT NULL,
    building  text NOT NULL,
    grid_id   text NOT NULL REFERENCES grids (grid_id) ON DELETE CASCADE,
    PRIMARY KEY (community, building)
);
CREATE INDEX grid_buildings_by_grid ON grid_buildings (grid_id);

-- Dispatch's view of each issue it routed, for the staff workflow (tasks, clocks).
CREATE TABLE dispatch_issues (
    issue_id                 text        PRIMARY KEY,
    community                text        NOT NULL,
    building                 text        NOT NULL,
    grid_id                  text,
    category                 text        NOT NULL,
    status                   text        NOT NULL,  -- assigned | unroutable (later: accepted...)
    urgent                   boolean     NOT NULL DEFAULT false,
    vulnerable               text,
    steward_id               text,
    repairer_id              text,
    reported_at              timestamptz NOT NULL,
    signoff_due_at           timestamptz,
    completion_limit_minutes integer,
    unroutable_reason        text,
    version                  integer     NOT NULL,  -- version of the dispatch stream issue-<id>
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dispatch_issues_steward ON dispatch_issues (steward_id, status);
CREATE INDEX dispatch_issues_repairer ON dispatch_issues (repairer_id, status);
CREATE INDEX dispatch_issues_community ON dispatch_issues (community, status);
