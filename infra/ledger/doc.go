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
// and keys; heads may only move forward one link at a time. Tampering behind
// the database's back (a superuser disabling triggers, a restored backup,
// edits to the files) is what [Verify] finds: it recomputes every digest and
// link and checks every signed [Checkpoint]. A checkpoint signs (Ed25519) the
// RFC 6962 Merkle root over the heads of all streams, with leaves
// H(0x00 || uint32be(len(stream)) || stream || int64be(seq) || hash) and nodes
// H(0x01 || left || right); checkpoints are chained to their predecessor.
package ledger
