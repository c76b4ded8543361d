-- What the callback workers keep: a callback's work fields, its attempts
-- (one per call registered in Bitrix24) and its history. Times are INTEGER
-- microseconds since the Unix epoch (UTC); NULL stands for the zero time.

-- +goose Up
ALTER TABLE callbacks ADD COLUMN next_at INTEGER;
ALTER TABLE callbacks ADD COLUMN client_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE callbacks ADD COLUMN employee_rounds INTEGER NOT NULL DEFAULT 0;

-- external_call_id is NULL when empty, so that only real ids are unique.
CREATE TABLE attempts (
    id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    callback_id      INTEGER NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    external_call_id TEXT    UNIQUE,
    call_id          TEXT    NOT NULL DEFAULT '',
    user_id          INTEGER NOT NULL DEFAULT 0,
    extension        TEXT    NOT NULL DEFAULT '',
    client_dialled   INTEGER NOT NULL DEFAULT 0,
    connected        INTEGER NOT NULL DEFAULT 0,
    status_code      TEXT    NOT NULL DEFAULT '',
    reason           TEXT    NOT NULL DEFAULT '',
    duration         INTEGER NOT NULL DEFAULT 0,
    finished_at      INTEGER,
    record_path      TEXT    NOT NULL DEFAULT '',
    record_file_id   INTEGER NOT NULL DEFAULT 0,
    started_at       INTEGER,
    updated_at       INTEGER,
    UNIQUE (callback_id, number)
) STRICT;

CREATE TABLE history (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    callback_id INTEGER NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    attempt_id  INTEGER REFERENCES attempts (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX history_callback ON history (callback_id, id);
CREATE INDEX history_attempt ON history (attempt_id) WHERE attempt_id IS NOT NULL;

-- +goose Down
DROP TABLE history;
DROP TABLE attempts;
ALTER TABLE callbacks DROP COLUMN employee_rounds;
ALTER TABLE callbacks DROP COLUMN client_attempts;
ALTER TABLE callbacks DROP COLUMN next_at;
