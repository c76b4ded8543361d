-- What the callback workers keep: a callback's work fields, its attempts
-- (one per call registered in Bitrix24) and its history.

-- +goose Up
ALTER TABLE callbacks ADD COLUMN next_at timestamptz;
ALTER TABLE callbacks ADD COLUMN client_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE callbacks ADD COLUMN employee_rounds integer NOT NULL DEFAULT 0;

-- external_call_id is NULL when empty, so that only real ids are unique.
CREATE TABLE attempts (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    callback_id      bigint      NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    number           integer     NOT NULL,
    external_call_id text        UNIQUE,
    call_id          text        NOT NULL DEFAULT '',
    user_id          bigint      NOT NULL DEFAULT 0,
    extension        text        NOT NULL DEFAULT '',
    client_dialled   boolean     NOT NULL DEFAULT false,
    connected        boolean     NOT NULL DEFAULT false,
    status_code      text        NOT NULL DEFAULT '',
    reason           text        NOT NULL DEFAULT '',
    duration         integer     NOT NULL DEFAULT 0,
    finished_at      timestamptz,
    record_path      text        NOT NULL DEFAULT '',
    record_file_id   bigint      NOT NULL DEFAULT 0,
    started_at       timestamptz,
    updated_at       timestamptz,
    UNIQUE (callback_id, number)
);

CREATE TABLE history (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    callback_id bigint      NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    attempt_id  bigint      REFERENCES attempts (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    state       text        NOT NULL,
    note        text        NOT NULL DEFAULT ''
);
CREATE INDEX history_callback ON history (callback_id, id);
CREATE INDEX history_attempt ON history (attempt_id) WHERE attempt_id IS NOT NULL;

-- +goose Down
DROP TABLE history;
DROP TABLE attempts;
ALTER TABLE callbacks DROP COLUMN employee_rounds;
ALTER TABLE callbacks DROP COLUMN client_attempts;
ALTER TABLE callbacks DROP COLUMN next_at;
