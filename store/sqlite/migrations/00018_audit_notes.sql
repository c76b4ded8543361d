-- An audit log entry's summary as a code and its arguments (JSON), so
-- that the app page says it in the portal's language; change keeps the
-- English for the API and older readers. Entries written before have
-- code '' and are shown by their change.

-- +goose Up
ALTER TABLE audit_log ADD COLUMN change_code TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN change_args TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN change_args;
ALTER TABLE audit_log DROP COLUMN change_code;
