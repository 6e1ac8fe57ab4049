-- Dead letters are re-applied after a fix, not deleted: who resolved each one, when, and how.
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS resolved_at timestamptz;
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS resolved_by text;
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS resolution text;
CREATE INDEX IF NOT EXISTS dead_letters_open ON dead_letters (id) WHERE resolved_at IS NULL;
-- The community of the parked event when it could be decoded: community admins see only
-- their own; malformed records (no community) only the operations community's admins.
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS community text;
