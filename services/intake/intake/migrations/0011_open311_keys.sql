-- Open311 GeoReport v2 API keys, issued by a community's admin. Only a SHA-256 of the key is
-- kept: keys are 256-bit random strings, so a fast hash is enough and the key is shown once.
CREATE TABLE open311_keys (
    id          text        PRIMARY KEY,               -- k-<12 hex>, names the key in lists
    key_hash    text        NOT NULL UNIQUE,           -- hex sha256 of the whole key
    community   text        NOT NULL,                  -- the jurisdiction it may post to
    name        text        NOT NULL,                  -- the application it was issued to
    source      text        NOT NULL CHECK (source IN ('app', 'hotline')),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX open311_keys_by_community ON open311_keys (community, created_at);
