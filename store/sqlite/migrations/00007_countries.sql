-- The countries a portal may dial, chosen by its administrator or the
-- operator (comma-separated ISO 3166 alpha-2 codes). No row: the portal's
-- own country only.
-- Times are INTEGER microseconds since the Unix epoch (UTC).

-- +goose Up
CREATE TABLE countries (
    member_id  TEXT    NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    codes      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL DEFAULT 0
) STRICT;

-- +goose Down
DROP TABLE countries;
