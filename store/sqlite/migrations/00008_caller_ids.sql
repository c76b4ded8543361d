-- Caller IDs the operator assigned to a portal over the API
-- (comma-separated, as a line's caller_id writes them). No row: none
-- beyond the configuration's and the portal's own SIP account's.
-- Times are INTEGER microseconds since the Unix epoch (UTC).

-- +goose Up
CREATE TABLE caller_ids (
    member_id  TEXT    NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    numbers    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE caller_ids;
