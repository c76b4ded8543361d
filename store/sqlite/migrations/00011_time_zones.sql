-- The time zone a portal's app page and dashboard show times in, chosen by
-- its administrator. No row: the time zone of the portal's first line.
-- Times are INTEGER microseconds since the Unix epoch (UTC).

-- +goose Up
CREATE TABLE time_zones (
    member_id  TEXT    NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL DEFAULT 0
) STRICT;

-- +goose Down
DROP TABLE time_zones;
