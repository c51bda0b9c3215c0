-- +goose Up
-- The tenant that opened each ledger stream through intake. A submission to
-- a stream another tenant opened is refused (tenant isolation), unless the
-- type's policy says the stream is shared.
CREATE TABLE stream_owners (
    stream     text        PRIMARY KEY,
    tenant     text        NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE stream_owners;
