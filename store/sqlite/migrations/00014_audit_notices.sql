-- The audit log names who made a change (the Bitrix24 user's name, or
-- "operator") and is pruned by age; notices keep, per portal and problem,
-- whether its administrators were told in Bitrix24 (im.notify) that the
-- problem began and that it was fixed, so that neither a restart nor a
-- second instance tells them twice.
-- Times are INTEGER microseconds since the Unix epoch (UTC).

-- +goose Up
ALTER TABLE audit_log ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_at ON audit_log (at);

-- problem: reinstall, trunk, callbacks. open: the problem is current.
-- failures: callbacks failed in a row. told: the last message delivered
-- ('', problem, fixed); pending: the one to deliver, due at next_at.
-- version: bumped by every change (updates are conditional on it).
CREATE TABLE notices (
    member_id  TEXT    NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
    problem    TEXT    NOT NULL,
    open       INTEGER NOT NULL DEFAULT 0,
    failures   INTEGER NOT NULL DEFAULT 0,
    detail     TEXT    NOT NULL DEFAULT '',
    told       TEXT    NOT NULL DEFAULT '',
    pending    TEXT    NOT NULL DEFAULT '',
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (member_id, problem)
) STRICT;
CREATE INDEX notices_due ON notices (next_at) WHERE pending <> '';

-- +goose Down
DROP TABLE notices;
DROP INDEX audit_log_at;
ALTER TABLE audit_log DROP COLUMN user_name;
