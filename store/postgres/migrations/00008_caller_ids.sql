-- Caller IDs the operator assigned to a portal over the API
-- (comma-separated, as a line's caller_id writes them). No row: none
-- beyond the configuration's and the portal's own SIP account's.

-- +goose Up
CREATE TABLE caller_ids (
    member_id  text        NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    numbers    text        NOT NULL,
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE caller_ids;
