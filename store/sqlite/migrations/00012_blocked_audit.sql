-- The numbers and prefixes a portal's administrator blocked (never called),
-- and the table of the log of changes to a portal's settings (who, when,
-- what), which no release writes yet: it comes with this migration so that
-- the log needs no migration of its own.
-- Times are INTEGER microseconds since the Unix epoch (UTC).

-- +goose Up
-- entries: newline-separated E.164 numbers, a prefix ending in "*".
CREATE TABLE blocked_numbers (
    member_id  TEXT    NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    entries    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE audit_log (
    id        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    member_id TEXT    NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    user_id   INTEGER NOT NULL DEFAULT 0,
    what      TEXT    NOT NULL,
    change    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_portal ON audit_log (member_id, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE blocked_numbers;
