-- A portal's own SIP account, written by its administrator on the app
-- page. The password is sealed (encryption_key), bound to member_id.
-- Times are INTEGER microseconds since the Unix epoch (UTC).

-- +goose Up
CREATE TABLE portal_trunks (
    member_id  TEXT    NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    registrar  TEXT    NOT NULL,
    proxy      TEXT    NOT NULL DEFAULT '',
    username   TEXT    NOT NULL,
    password   TEXT    NOT NULL,
    caller_ids TEXT    NOT NULL,
    transport  TEXT    NOT NULL DEFAULT 'udp',
    register   INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL DEFAULT 0
) STRICT;

-- +goose Down
DROP TABLE portal_trunks;
