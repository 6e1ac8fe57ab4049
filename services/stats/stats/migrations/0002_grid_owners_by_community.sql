-- A grid is (community, grid_id): two communities may each have a g-01. Owner lookups go by
-- both, so the index does too.
DROP INDEX IF EXISTS grid_owners_grid_from;
CREATE INDEX IF NOT EXISTS grid_owners_community_grid_from
    ON grid_owners (community, grid_id, from_at DESC);
