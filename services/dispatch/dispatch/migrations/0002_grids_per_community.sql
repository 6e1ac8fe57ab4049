-- A grid is (community, grid_id): two communities may each have their own g-01, and no
-- lookup by a bare grid id can reach another community's grid. See docs/decisions.md.

ALTER TABLE grid_buildings DROP CONSTRAINT grid_buildings_grid_id_fkey;
DROP INDEX grid_buildings_by_grid;
DROP INDEX grids_by_community;  -- the new primary key is the same index

ALTER TABLE grids DROP CONSTRAINT grids_pkey;
ALTER TABLE grids ADD CONSTRAINT grids_pkey PRIMARY KEY (community, grid_id);

-- grid_buildings already carries the community; its key (community, building) is unchanged.
ALTER TABLE grid_buildings ADD CONSTRAINT grid_buildings_grid_fkey
    FOREIGN KEY (community, grid_id) REFERENCES grids (community, grid_id) ON DELETE CASCADE;
CREATE INDEX grid_buildings_by_grid ON grid_buildings (community, grid_id);

-- Grid streams move from grid-<grid_id> to grid-<community>/<grid_id> (a "/" no id may
-- contain, so no two grids can share a stream). Under the old key a grid id had one
-- community only (its directory row, written with every append), so each old stream maps to
-- exactly one new one. Only the stream address changes: event ids, data, subjects (the grid
-- id) and positions stay as they were, and nothing published to Kafka names the stream.
UPDATE events e
   SET stream_id = 'grid-' || g.community || '/' || g.grid_id
  FROM grids g
 WHERE e.stream_id = 'grid-' || g.grid_id;
