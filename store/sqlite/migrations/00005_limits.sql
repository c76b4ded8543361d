-- Limits count what they should: calls placed (attempts.placed_at, with
-- the callback's number and portal copied so that both counts are index
-- ranges across every portal), and a portal's accepted requests only.
-- Retention deletes finished callbacks by their last change and history
-- entries by their time. Times are INTEGER microseconds since the Unix
-- epoch (UTC).

-- +goose Up
ALTER TABLE attempts ADD COLUMN placed_at INTEGER;
ALTER TABLE attempts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN member_id TEXT NOT NULL DEFAULT '';
-- Attempts stored before this migration were placed when they started.
UPDATE attempts SET placed_at = started_at,
    phone = (SELECT phone FROM callbacks WHERE callbacks.id = attempts.callback_id),
    member_id = (SELECT member_id FROM callbacks WHERE callbacks.id = attempts.callback_id);
CREATE INDEX attempts_placed_number ON attempts (phone, placed_at) WHERE placed_at IS NOT NULL;
CREATE INDEX attempts_placed_portal ON attempts (member_id, placed_at) WHERE placed_at IS NOT NULL;
-- The intake's portal limit counts accepted callback requests only (not
-- click-to-call: the dial limits count those).
CREATE INDEX callbacks_accepted ON callbacks (member_id, created_at) WHERE state <> 'rejected' AND kind = 'callback';
-- Retention.
CREATE INDEX callbacks_state_updated ON callbacks (state, updated_at);
CREATE INDEX history_at ON history (at);

-- +goose Down
DROP INDEX history_at;
DROP INDEX callbacks_state_updated;
DROP INDEX callbacks_accepted;
DROP INDEX attempts_placed_portal;
DROP INDEX attempts_placed_number;
ALTER TABLE attempts DROP COLUMN member_id;
ALTER TABLE attempts DROP COLUMN phone;
ALTER TABLE attempts DROP COLUMN placed_at;
