-- The event store doubles as the outbox: published_at is null until the relay has sent it.
CREATE TABLE IF NOT EXISTS events (
    position     bigserial   PRIMARY KEY,
    stream_id    text        NOT NULL,
    version      integer     NOT NULL CHECK (version >= 1),
    event_id     uuid        NOT NULL UNIQUE,
    type         text        NOT NULL,
    source       text        NOT NULL,
    subject      text        NOT NULL,
    topic        text        NOT NULL,
    data         jsonb       NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    UNIQUE (stream_id, version)
);
CREATE INDEX IF NOT EXISTS events_unpublished ON events (position) WHERE published_at IS NULL;

-- Consumed events already applied: the dedupe row is written in the effect's transaction.
CREATE TABLE IF NOT EXISTS processed_events (
    event_id     uuid        PRIMARY KEY,
    topic        text        NOT NULL,
    event_type   text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

-- Records the consumer could not apply, with the reason, kept for an operator to inspect.
CREATE TABLE IF NOT EXISTS dead_letters (
    id          bigserial   PRIMARY KEY,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    key         bytea,
    headers     jsonb       NOT NULL,
    value       bytea,
    reason      text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, partition, "offset")
);

-- Responses remembered per Idempotency-Key and caller, written with the effect.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    principal    text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    status       integer     NOT NULL,
    body         jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
