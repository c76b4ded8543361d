-- An administrator asked to call a pending callback now (the app page,
-- the operator API): who asked; its next dial ignores the working hours.
-- Empty: nobody asked.

-- +goose Up
ALTER TABLE callbacks ADD COLUMN dial_now_by text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE callbacks DROP COLUMN dial_now_by;
