-- Several instances on one database (PostgreSQL; SQLite has one, and
-- keeps the same tables): each instance's row with its heartbeat, the
-- claim of the instance working on a callback (the fence), and the
-- recordings kept until they are attached. Times are INTEGER
-- microseconds since the Unix epoch (UTC).

-- +goose Up
CREATE TABLE instances (
    id           TEXT    NOT NULL PRIMARY KEY,
    generation   INTEGER NOT NULL,
    fingerprint  TEXT    NOT NULL DEFAULT '',
    version      TEXT    NOT NULL DEFAULT '',
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    dead_at      INTEGER,
    taken_by     TEXT    NOT NULL DEFAULT ''
) STRICT;

ALTER TABLE callbacks ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE callbacks ADD COLUMN owner_generation INTEGER NOT NULL DEFAULT 0;
CREATE INDEX callbacks_owner ON callbacks (owner, owner_generation) WHERE owner <> '';

CREATE TABLE recordings (
    attempt_id INTEGER NOT NULL PRIMARY KEY REFERENCES attempts (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE recordings;
DROP INDEX callbacks_owner;
ALTER TABLE callbacks DROP COLUMN owner_generation;
ALTER TABLE callbacks DROP COLUMN owner;
DROP TABLE instances;
