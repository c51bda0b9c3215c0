-- +goose Up
-- The CPR number a letter to a person went to ('' for a company): a
-- citizen's answer receipt is downloadable again (GET
-- /api/v1/receipts/{answer id}) by that person, or by a proxy holding their
-- power of attorney, only. The CPR number is personal data: it is kept here,
-- never logged. Letters sent before this column existed have '' and are not
-- downloadable.
ALTER TABLE letters ADD COLUMN recipient_cpr text NOT NULL DEFAULT '';
CREATE INDEX letters_answer_receipts ON letters (reference, recipient_cpr) WHERE kind = 'answer-receipt' AND status = 'sent';

-- +goose Down
DROP INDEX letters_answer_receipts;
ALTER TABLE letters DROP COLUMN recipient_cpr;
