-- +goose Up
-- The append-only, hash-chained audit ledger. See package nemrefusion.dk/infra/ledger
-- for the hash formats; every table except heads refuses UPDATE, DELETE and TRUNCATE.
-- Streams use the "C" collation: byte order, the same in Go and on every host, so
-- the Merkle root over sorted heads never depends on the operating system's locale.

-- +goose StatementBegin
CREATE FUNCTION ledger.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % on %.% is refused: the ledger is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TABLE ledger.entries (
  stream         text        COLLATE "C" NOT NULL,
  seq            bigint      NOT NULL CHECK (seq >= 1),
  recorded_at    timestamptz NOT NULL,
  actor          text        NOT NULL,
  role           text        NOT NULL,
  on_behalf_of   text        NOT NULL,
  event_type     text        NOT NULL,
  event_source   text        NOT NULL,
  event_id       text        NOT NULL,
  cause          text        NOT NULL,
  correlation    text        NOT NULL,
  -- json, not jsonb: json keeps the exact text, which the content digest covers.
  reason         json,
  payload        bytea       NOT NULL,
  payload_digest bytea       NOT NULL,
  content_digest bytea       NOT NULL,
  prev_hash      bytea       NOT NULL,
  hash           bytea       NOT NULL,
  PRIMARY KEY (stream, seq)
);
CREATE INDEX entries_correlation ON ledger.entries (correlation);

-- heads holds the last seq and hash of every stream; its row lock serialises
-- appends within a stream. It may only move forward one step at a time.
CREATE TABLE ledger.heads (
  stream    text   COLLATE "C" PRIMARY KEY,
  seq       bigint NOT NULL,
  prev_hash bytea  NOT NULL,
  hash      bytea  NOT NULL
);

CREATE TABLE ledger.keys (
  key_id     text        PRIMARY KEY,
  public_key bytea       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger.checkpoints (
  id          bigserial   PRIMARY KEY,
  created_at  timestamptz NOT NULL,
  streams     bigint      NOT NULL,
  merkle_root bytea       NOT NULL,
  prev_digest bytea       NOT NULL,
  key_id      text        NOT NULL,
  signature   bytea       NOT NULL
);

-- checkpoint_heads are the heads a checkpoint signed, sorted by stream when read.
-- They are written before their checkpoint row, in the same transaction.
CREATE TABLE ledger.checkpoint_heads (
  checkpoint_id bigint NOT NULL,
  stream        text   COLLATE "C" NOT NULL,
  seq           bigint NOT NULL,
  hash          bytea  NOT NULL,
  PRIMARY KEY (checkpoint_id, stream)
);

CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger.entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER keys_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger.keys
  FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger.checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER checkpoint_heads_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger.checkpoint_heads
  FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER heads_no_delete BEFORE DELETE OR TRUNCATE ON ledger.heads
  FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
-- A head starts at seq 1 on the genesis hash and moves one link at a time.
-- The WHEN clauses are plain expressions, so appends pay no function call.
CREATE TRIGGER heads_start_at_genesis BEFORE INSERT ON ledger.heads
  FOR EACH ROW WHEN (NEW.seq <> 1 OR NEW.prev_hash <> '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
  EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER heads_forward_only BEFORE UPDATE ON ledger.heads
  FOR EACH ROW WHEN (NEW.stream <> OLD.stream OR NEW.seq <> OLD.seq + 1 OR NEW.prev_hash <> OLD.hash)
  EXECUTE FUNCTION ledger.refuse_change();

-- +goose Down
DROP TABLE ledger.checkpoint_heads;
DROP TABLE ledger.checkpoints;
DROP TABLE ledger.keys;
DROP TABLE ledger.heads;
DROP TABLE ledger.entries;
DROP FUNCTION ledger.refuse_change();
