-- +goose Up
-- The accept step's tables (package nemrefusion.dk/infra/accept), shared by
-- every way in that turns user input into an event (intake, the waiting
-- function's prepared blankets). Unqualified names land in the accept
-- schema (the migration runs with search_path set to it).

-- One row per accepted submission. (tenant, source, id) is the sender's
-- idempotency key: a repeated post with the same data (data_digest) returns
-- the same receipt; other data under the same key is refused (409).
CREATE TABLE submissions (
    tenant      text        NOT NULL,
    source      text        NOT NULL,
    id          text        NOT NULL,
    receipt     text        NOT NULL UNIQUE,
    event_id    text        NOT NULL UNIQUE,
    event_type  text        NOT NULL,
    stream      text        NOT NULL,
    -- SHA-256 of type, the sender's partition key and the compacted data;
    -- NULL for rows carried over from before digests (treated as the same).
    data_digest bytea,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, source, id)
);

-- The tenant that opened each ledger stream. A submission to a stream
-- another tenant opened is refused (tenant isolation).
CREATE TABLE stream_owners (
    stream     text        PRIMARY KEY,
    tenant     text        NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now()
);

-- The recipients (tenants "municipality:<no>" or "udk") each stream was
-- delivered to, from delivery.requested: a case system may post feedback
-- only into a stream delivered to it.
CREATE TABLE stream_recipients (
    stream      text        NOT NULL,
    tenant      text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, tenant)
);

-- Carry over what intake stored before the accept step moved here (intake's
-- own schema "intake"); nothing happens where it never existed.
-- +goose StatementBegin
DO $$
BEGIN
  IF to_regclass('intake.stream_owners') IS NOT NULL THEN
    EXECUTE 'INSERT INTO stream_owners (stream, tenant, claimed_at) SELECT stream, tenant, claimed_at FROM intake.stream_owners ON CONFLICT DO NOTHING';
  END IF;
  IF to_regclass('intake.submissions') IS NOT NULL THEN
    EXECUTE 'INSERT INTO submissions (tenant, source, id, receipt, event_id, event_type, stream, received_at)
      SELECT tenant, source, id, receipt, event_id, event_type, stream, received_at FROM intake.submissions ON CONFLICT DO NOTHING';
  END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE stream_recipients;
DROP TABLE stream_owners;
DROP TABLE submissions;
