-- +goose Up

-- The push signing secrets of a recipient (HTTP Message Signatures,
-- hmac-sha256): the current one, and the previous one, which still signs
-- (a second signature) until push_prev_until after a rotation. A sink
-- registered before pushes were signed has no secret and gets nothing
-- until it is registered again.
ALTER TABLE recipients
    ADD COLUMN push_key_id      text,
    ADD COLUMN push_secret      bytea,
    ADD COLUMN push_prev_key_id text,
    ADD COLUMN push_prev_secret bytea,
    ADD COLUMN push_prev_until  timestamptz;

-- +goose Down
ALTER TABLE recipients
    DROP COLUMN push_key_id,
    DROP COLUMN push_secret,
    DROP COLUMN push_prev_key_id,
    DROP COLUMN push_prev_secret,
    DROP COLUMN push_prev_until;
