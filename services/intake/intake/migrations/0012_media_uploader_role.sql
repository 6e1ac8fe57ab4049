-- Who uploaded a photo is a person in a role, as everywhere else a caller is (community, role,
-- sub): a steward or repairer who shares a resident's id must not read or attach the
-- resident's photos. Rows from before the column were uploaded as residents or stewards;
-- they are kept as residents' (the common case), which at worst hides a steward's own
-- unattached upload from them until the sweep removes it.
ALTER TABLE media ADD COLUMN uploader_role text;
UPDATE media SET uploader_role = 'resident' WHERE uploader_role IS NULL;
ALTER TABLE media ALTER COLUMN uploader_role SET NOT NULL;
