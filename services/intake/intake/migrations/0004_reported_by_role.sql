-- The role the filer acted in: (community, role, sub) is a person, so "staff see what they
-- filed for a resident" must match the role as well as the id (a repairer or admin who shares
-- a steward's id is someone else). Residents' own reports (filer = reporter) are backfilled as
-- 'resident'. Older reports filed for a resident, and ledger imports, keep NULL: the filer's
-- role is unknown and NULL matches no staff caller. The only cost: a steward no longer sees an
-- old report they filed for a resident outside their grids (the desk still sees it).
ALTER TABLE issues ADD COLUMN reported_by_role text;
UPDATE issues SET reported_by_role = 'resident'
 WHERE reported_by_role IS NULL AND reported_by = reporter_id;
