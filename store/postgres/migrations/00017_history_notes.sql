-- A history entry's note as a code and its arguments (JSON), so that the
-- app page says it in the portal's language; note keeps the English for
-- the API and older readers. Entries written before have code '' and are
-- shown by their note.

-- +goose Up
ALTER TABLE history ADD COLUMN note_code text NOT NULL DEFAULT '';
ALTER TABLE history ADD COLUMN note_args text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE history DROP COLUMN note_args;
ALTER TABLE history DROP COLUMN note_code;
