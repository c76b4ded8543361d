-- A portal's own SIP account, written by its administrator on the app
-- page. The password is sealed (encryption_key), bound to member_id.

-- +goose Up
CREATE TABLE portal_trunks (
    member_id  text        NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    registrar  text        NOT NULL,
    proxy      text        NOT NULL DEFAULT '',
    username   text        NOT NULL,
    password   text        NOT NULL,
    caller_ids text        NOT NULL,
    transport  text        NOT NULL DEFAULT 'udp',
    register   boolean     NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL,
    updated_by bigint      NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE portal_trunks;
