-- The countries a portal may dial, chosen by its administrator or the
-- operator (comma-separated ISO 3166 alpha-2 codes). No row: the portal's
-- own country only.

-- +goose Up
CREATE TABLE countries (
    member_id  text        NOT NULL PRIMARY KEY REFERENCES portals (member_id) ON DELETE CASCADE,
    codes      text        NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by bigint      NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE countries;
