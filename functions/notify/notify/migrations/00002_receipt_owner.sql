-- +goose Up
-- The CVR number a letter went to ('' for a person): a sender's receipt is
-- downloadable again (GET /api/v1/receipts/{receipt}) by that CVR's
-- logins only. CVR numbers are not personal data; CPR numbers are never
-- stored here. Letters sent before this column existed have '' and are not
-- downloadable.
ALTER TABLE letters ADD COLUMN recipient_cvr text NOT NULL DEFAULT '';
CREATE INDEX letters_receipts ON letters (reference, recipient_cvr) WHERE kind = 'sender-receipt' AND status = 'sent';

-- +goose Down
DROP INDEX letters_receipts;
ALTER TABLE letters DROP COLUMN recipient_cvr;
