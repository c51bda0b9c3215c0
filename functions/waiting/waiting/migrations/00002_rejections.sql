-- +goose Up
-- A rejected submission (blanket.rejected.v1) is a message too: it names
-- the submission's receipt and blanket and carries every reason (field,
-- code, Danish, English). reminder_id stays the one idempotency key of a
-- message: the reminder's id for a reminder, "rejected/<receipt>" for a
-- rejection.
ALTER TABLE sender_inbox
    ADD COLUMN receipt text  NOT NULL DEFAULT '',
    ADD COLUMN blanket text  NOT NULL DEFAULT '',
    ADD COLUMN reasons jsonb NOT NULL DEFAULT '[]';
COMMENT ON COLUMN sender_inbox.reminder_id IS 'the message''s idempotency key: the reminder id, or rejected/<receipt>';
COMMENT ON COLUMN message_outbox.reminder_id IS 'the idempotency key of the message the alert is for (sender_inbox.reminder_id)';

-- +goose Down
ALTER TABLE sender_inbox DROP COLUMN reasons, DROP COLUMN blanket, DROP COLUMN receipt;
