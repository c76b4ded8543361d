-- Several instances on one database: each instance's row with its
-- heartbeat (the queue client id, a generation raised at every start),
-- the claim of the instance working on a callback (the fence), and the
-- recordings kept until they are attached, so that any instance can
-- attach them.

-- +goose Up
CREATE TABLE instances (
    id           text        PRIMARY KEY,
    generation   bigint      NOT NULL,
    fingerprint  text        NOT NULL DEFAULT '',
    version      text        NOT NULL DEFAULT '',
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    dead_at      timestamptz,
    taken_by     text        NOT NULL DEFAULT ''
);

ALTER TABLE callbacks ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE callbacks ADD COLUMN owner_generation bigint NOT NULL DEFAULT 0;
CREATE INDEX callbacks_owner ON callbacks (owner, owner_generation) WHERE owner <> '';

CREATE TABLE recordings (
    attempt_id bigint      PRIMARY KEY REFERENCES attempts (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    data       bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE recordings;
DROP INDEX callbacks_owner;
ALTER TABLE callbacks DROP COLUMN owner_generation;
ALTER TABLE callbacks DROP COLUMN owner;
DROP TABLE instances;
