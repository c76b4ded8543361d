-- Schema of the embedded store. Times are INTEGER microseconds since the
-- Unix epoch (UTC); NULL stands for the zero time.

-- +goose Up
CREATE TABLE portals (
    member_id         TEXT    NOT NULL PRIMARY KEY,
    domain            TEXT    NOT NULL DEFAULT '',
    client_endpoint   TEXT    NOT NULL DEFAULT '',
    access_token      TEXT    NOT NULL DEFAULT '',
    refresh_token     TEXT    NOT NULL DEFAULT '',
    expires_at        INTEGER,
    application_token TEXT    NOT NULL DEFAULT '',
    user_id           INTEGER NOT NULL DEFAULT 0,
    scope             TEXT    NOT NULL DEFAULT '',
    app_status        TEXT    NOT NULL DEFAULT '',
    language          TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL,
    status_reason     TEXT    NOT NULL DEFAULT '',
    installed_at      INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

-- AUTOINCREMENT: an id is never reused, so a job left over from a deleted
-- callback can never point at a newer one.
CREATE TABLE callbacks (
    id                INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    member_id         TEXT    NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL,
    phone             TEXT    NOT NULL DEFAULT '',
    phone_raw         TEXT    NOT NULL DEFAULT '',
    -- number_key is phone, or phone_raw when phone is empty: the number part
    -- of the de-duplication key.
    number_key        TEXT    NOT NULL DEFAULT '',
    text              TEXT    NOT NULL DEFAULT '',
    voice             TEXT    NOT NULL DEFAULT '',
    crm_entity_type   TEXT    NOT NULL DEFAULT '',
    crm_entity_id     INTEGER NOT NULL DEFAULT 0,
    line_number       TEXT    NOT NULL DEFAULT '',
    call_id           TEXT    NOT NULL DEFAULT '',
    user_id           INTEGER NOT NULL DEFAULT 0,
    state             TEXT    NOT NULL,
    reason            TEXT    NOT NULL DEFAULT '',
    duplicates        INTEGER NOT NULL DEFAULT 0,
    last_duplicate_at INTEGER,
    event_at          INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

-- De-duplication (same portal, number and CRM entity, within the window)
-- and the rate limit per number (callbacks of the portal for one Phone in
-- the last hour; number_key is Phone whenever Phone is set): one index,
-- entity columns last so that both are range scans on created_at.
CREATE INDEX callbacks_number ON callbacks (member_id, number_key, created_at, crm_entity_type, crm_entity_id);
-- Rate limit per portal.
CREATE INDEX callbacks_portal ON callbacks (member_id, created_at);
-- Listing one portal's callbacks, newest first.
CREATE INDEX callbacks_portal_id ON callbacks (member_id, id);
-- Listing and counting by state.
CREATE INDEX callbacks_state ON callbacks (state, id);

-- +goose Down
DROP TABLE callbacks;
DROP TABLE portals;
