-- +goose Up
-- One row per accepted submission. (tenant, source, id) is the sender's
-- idempotency key: a repeated post returns the same receipt.
CREATE SEQUENCE receipt_seq;
CREATE TABLE submissions (
    tenant      text        NOT NULL,
    source      text        NOT NULL,
    id          text        NOT NULL,
    receipt     text        NOT NULL UNIQUE,
    event_id    text        NOT NULL UNIQUE,
    event_type  text        NOT NULL,
    stream      text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, source, id)
);

-- +goose Down
DROP TABLE submissions;
DROP SEQUENCE receipt_seq;
