-- A portal's own settings, written by its administrator on the app page.

-- +goose Up
CREATE TABLE settings (
    member_id  text        NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    lines      text        NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by bigint      NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE settings;
