-- The numbers and prefixes a portal's administrator blocked (never called),
-- and the table of the log of changes to a portal's settings (who, when,
-- what), which no release writes yet: it comes with this migration so that
-- the log needs no migration of its own.

-- +goose Up
-- entries: newline-separated E.164 numbers, a prefix ending in "*".
CREATE TABLE blocked_numbers (
    member_id  text        NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    entries    text        NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by bigint      NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id text        NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    user_id   bigint      NOT NULL DEFAULT 0,
    what      text        NOT NULL,
    change    text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_portal ON audit_log (member_id, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE blocked_numbers;
