-- +goose Up
-- signed_heads is the newest signed head of every stream: a checkpoint signs
-- only the heads that moved since (checkpoint_heads keeps what each one
-- signed), so checkpoints can be frequent. It is a cache of checkpoint_heads,
-- which Verify reads instead; it may only move forward.
CREATE TABLE ledger.signed_heads (
  stream        text   COLLATE "C" PRIMARY KEY,
  seq           bigint NOT NULL,
  hash          bytea  NOT NULL,
  checkpoint_id bigint NOT NULL
);
INSERT INTO ledger.signed_heads (stream, seq, hash, checkpoint_id)
  SELECT DISTINCT ON (stream) stream, seq, hash, checkpoint_id FROM ledger.checkpoint_heads
  ORDER BY stream, checkpoint_id DESC;
CREATE TRIGGER signed_heads_no_delete BEFORE DELETE OR TRUNCATE ON ledger.signed_heads
  FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER signed_heads_forward_only BEFORE UPDATE ON ledger.signed_heads
  FOR EACH ROW WHEN (NEW.stream <> OLD.stream OR NEW.seq <= OLD.seq OR NEW.checkpoint_id <= OLD.checkpoint_id)
  EXECUTE FUNCTION ledger.refuse_change();
-- Inclusion proofs look up the first checkpoint that signed a stream at or
-- after an entry.
CREATE INDEX checkpoint_heads_stream ON ledger.checkpoint_heads (stream, checkpoint_id);

-- +goose Down
DROP INDEX ledger.checkpoint_heads_stream;
DROP TABLE ledger.signed_heads;
