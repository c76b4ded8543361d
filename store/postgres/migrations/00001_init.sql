-- Schema of the scaled-out store. Tables are created in the schema that
-- search_path names first (Options.Schema).

-- +goose Up
CREATE TABLE portals (
    member_id         text        NOT NULL PRIMARY KEY,
    domain            text        NOT NULL DEFAULT '',
    client_endpoint   text        NOT NULL DEFAULT '',
    access_token      text        NOT NULL DEFAULT '',
    refresh_token     text        NOT NULL DEFAULT '',
    expires_at        timestamptz,
    application_token text        NOT NULL DEFAULT '',
    user_id           bigint      NOT NULL DEFAULT 0,
    scope             text        NOT NULL DEFAULT '',
    app_status        text        NOT NULL DEFAULT '',
    language          text        NOT NULL DEFAULT '',
    status            text        NOT NULL,
    status_reason     text        NOT NULL DEFAULT '',
    installed_at      timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE callbacks (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id         text        NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
    kind              text        NOT NULL,
    phone             text        NOT NULL DEFAULT '',
    phone_raw         text        NOT NULL DEFAULT '',
    -- number_key is phone, or phone_raw when phone is empty: the number part
    -- of the de-duplication key.
    number_key        text        NOT NULL DEFAULT '',
    text              text        NOT NULL DEFAULT '',
    voice             text        NOT NULL DEFAULT '',
    crm_entity_type   text        NOT NULL DEFAULT '',
    crm_entity_id     bigint      NOT NULL DEFAULT 0,
    line_number       text        NOT NULL DEFAULT '',
    call_id           text        NOT NULL DEFAULT '',
    user_id           bigint      NOT NULL DEFAULT 0,
    state             text        NOT NULL,
    reason            text        NOT NULL DEFAULT '',
    duplicates        integer     NOT NULL DEFAULT 0,
    last_duplicate_at timestamptz,
    event_at          timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

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
