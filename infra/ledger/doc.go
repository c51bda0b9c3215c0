// Package ledger is the append-only, hash-chained audit ledger of the whole
// system (revisionsspor). Every state change appends entries in the same
// Postgres transaction as the state rows and outbox rows; reads of personal
// data by a person are entries too.
//
// Entries are grouped in streams (a stream is an absence or case id). Each
// stream is its own hash chain, so streams append in parallel and appends
// within a stream are serialised by the row lock on the stream's head. The
// formats, all hashes SHA-256:
//
//	payload_digest = H(payload)
//	content_digest = H(canonical encoding of stream, recorded_at, actor, role,
//	                   on_behalf_of, event type, source and id, cause,
//	                   correlation, reason and payload_digest)
//	hash           = H(prev_hash || int64be(seq) || content_digest)
//
// The first entry of a stream has seq 1 and prev_hash 32 zero bytes. The
// canonical encoding is the tag "nemrefusion.ledger.entry.v1", then each field
// in the order above as a 4-byte big-endian length followed by its bytes;
// recorded_at is the 8-byte big-endian count of microseconds since the Unix
// epoch; reason is preceded by one byte, 0 when absent and 1 when present.
//
// The database refuses UPDATE, DELETE and TRUNCATE on entries, checkpoints
// and keys; heads may only move forward one link at a time. Functions
// connect as an application role that owns nothing and may only SELECT and
// INSERT (GrantApp), so it can neither set session_replication_role nor
// disable a trigger; migrations run as a separate owner role. Tampering
// behind the database's back (a superuser, a restored backup, edits to the
// files) is what [Verify] finds: it recomputes every digest and link and
// checks every signed [Checkpoint] against the public keys it is given
// (configuration, never the database; none given fails closed). A
// checkpoint signs (Ed25519) the RFC 6962 Merkle root over the heads that
// moved since the previous checkpoint (all heads in the first), with leaves
// H(0x00 || uint32be(len(stream)) || stream || int64be(seq) || hash) and
// nodes H(0x01 || left || right); checkpoints are chained to their
// predecessor by prevDigest. [ProveEntry] gives an entry's inclusion proof
// (the chain to the signed head and the audit path), which
// [Proof.Verify] checks with the public key alone.
//
// What remains unprotected, exactly: entries newer than their stream's
// newest signed head (Report.Unsigned counts them). The audit function
// signs moved heads every LEDGER_CHECKPOINT_EVERY (10 s) and on the
// PingSource tick every minute, so that window is about 10 s while audit
// runs and at most a minute otherwise; a rewrite or truncation of an entry
// at or below a signed head is always found. Removing the newest
// checkpoints themselves (with their heads) turns signed entries back into
// unsigned ones; only a copy of the latest checkpoint kept outside the
// system (GET /api/v1/ledger/checkpoints/latest, the checkpoint-signed
// event) shows that, by its id and digest.
package ledger
