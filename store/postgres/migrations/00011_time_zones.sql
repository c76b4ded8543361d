-- The time zone a portal's app page and dashboard show times in, chosen by
-- its administrator (an IANA name). No row: the time zone of the portal's
-- first line.

-- +goose Up
CREATE TABLE time_zones (
    member_id  text        NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    name       text        NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by bigint      NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE time_zones;
