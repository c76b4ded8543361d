-- The Bitrix24 dialer (voximplant.callback.start): an attempt records
-- which dialer placed its call; a call handed to Bitrix24's telephony is
-- found again by its CALL_ID when ONVOXIMPLANTCALLEND comes.

-- +goose Up
ALTER TABLE attempts ADD COLUMN dialer text NOT NULL DEFAULT '';
CREATE INDEX attempts_placed_call ON attempts (call_id) WHERE dialer = 'bitrix24';
-- A re-fired request is matched to the callback of the same number that
-- handed a call to Bitrix24.
CREATE INDEX callbacks_phone_state ON callbacks (member_id, phone, state);

-- +goose Down
DROP INDEX callbacks_phone_state;
DROP INDEX attempts_placed_call;
ALTER TABLE attempts DROP COLUMN dialer;
