package ledger

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CheckpointInfo is one signed checkpoint: the Merkle root over the heads
// it signed at CreatedAt (those of the Streams that moved since the previous
// checkpoint, all of them in the first), chained to the previous checkpoint
// by PrevDigest and signed by the key KeyID.
type CheckpointInfo struct {
	ID        int64
	CreatedAt time.Time
	// Streams is the number of heads this checkpoint signed.
	Streams    int64
	MerkleRoot []byte
	PrevDigest []byte
	KeyID      string
	Signature  []byte
	// Unchanged is true when no head had moved since the last checkpoint,
	// which Checkpoint then returns instead of making a new one.
	Unchanged bool
}

const checkpointTag = "nemrefusion.ledger.checkpoint.v1"

// checkpointLock is the advisory lock id that serialises checkpoint makers
// (not appends) so that checkpoints chain without forks.
const checkpointLock int64 = 0x6e726c6564676572 // "nrledger"

// Message returns the bytes the signature covers: the tag
// "nemrefusion.ledger.checkpoint.v1", then int64be(ID),
// int64be(CreatedAt in Unix microseconds), int64be(Streams), the 32-byte
// MerkleRoot, the 32-byte PrevDigest and the length-prefixed KeyID.
func (c CheckpointInfo) Message() []byte {
	var b bytes.Buffer
	b.WriteString(checkpointTag)
	var n [8]byte
	for _, v := range []int64{c.ID, c.CreatedAt.UnixMicro(), c.Streams} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		b.Write(n[:])
	}
	b.Write(c.MerkleRoot)
	b.Write(c.PrevDigest)
	binary.BigEndian.PutUint32(n[:4], uint32(len(c.KeyID)))
	b.Write(n[:4])
	b.WriteString(c.KeyID)
	return b.Bytes()
}

// Digest returns SHA-256(Message()), which the next checkpoint's PrevDigest
// holds. Keep the latest digest outside the database (nrctl prints it) to
// detect removal of the newest checkpoints.
func (c CheckpointInfo) Digest() []byte {
	d := sha256.Sum256(c.Message())
	return d[:]
}

// Checkpoint signs, with s, the head of every stream that moved since the
// last checkpoint (every head, the first time): it copies them into
// ledger.checkpoint_heads, computes their Merkle root, signs it, stores the
// checkpoint and moves ledger.signed_heads forward. It reads heads without
// locking them, so appends go on meanwhile; two concurrent Checkpoint calls
// take turns. When no head moved since the last checkpoint it stores
// nothing and returns that one with Unchanged set. It refuses (with an
// error) to sign a head that does not match its entry or that is behind the
// stream's signed head. It never records s's public key: which keys are
// trusted is configuration, not data (see Verify).
func Checkpoint(ctx context.Context, pool *pgxpool.Pool, s Signer) (CheckpointInfo, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return CheckpointInfo{}, errors.New("ledger: checkpoint: signer has no Ed25519 key")
	}
	if s.KeyID == "" {
		s = NewSigner(s.Key)
	}
	var info CheckpointInfo
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		var err error
		info, err = checkpointTx(ctx, tx, s)
		return err
	})
	if errors.Is(err, errUnchanged) {
		return info, nil
	}
	if err != nil {
		return CheckpointInfo{}, fmt.Errorf("ledger: checkpoint: %w", err)
	}
	return info, nil
}

// errUnchanged rolls back a checkpoint that would repeat the last one.
var errUnchanged = errors.New("no head moved since the last checkpoint")

func checkpointTx(ctx context.Context, tx pgx.Tx, s Signer) (CheckpointInfo, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, checkpointLock); err != nil {
		return CheckpointInfo{}, fmt.Errorf("lock: %w", err)
	}
	prev, havePrev, err := lastCheckpoint(ctx, tx)
	if err != nil {
		return CheckpointInfo{}, err
	}
	c := CheckpointInfo{KeyID: s.KeyID, PrevDigest: genesis}
	if havePrev {
		c.PrevDigest = prev.Digest()
	}
	if err := tx.QueryRow(ctx, `SELECT nextval('ledger.checkpoints_id_seq')`).Scan(&c.ID); err != nil {
		return CheckpointInfo{}, fmt.Errorf("next id: %w", err)
	}
	var behind string
	err = tx.QueryRow(ctx, `SELECT h.stream FROM ledger.heads h JOIN ledger.signed_heads s ON s.stream = h.stream
  WHERE h.seq < s.seq ORDER BY h.stream LIMIT 1`).Scan(&behind)
	if err == nil {
		return CheckpointInfo{}, fmt.Errorf("head of stream %q is behind its signed head (entries removed?); run verify", behind)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return CheckpointInfo{}, fmt.Errorf("check heads: %w", err)
	}
	// One statement, one snapshot: a consistent set of committed heads,
	// those that moved since they were last signed.
	tag, err := tx.Exec(ctx, `INSERT INTO ledger.checkpoint_heads (checkpoint_id, stream, seq, hash)
  SELECT $1, h.stream, h.seq, h.hash FROM ledger.heads h LEFT JOIN ledger.signed_heads s ON s.stream = h.stream
  WHERE s.stream IS NULL OR h.seq > s.seq`, c.ID)
	if err != nil {
		return CheckpointInfo{}, fmt.Errorf("copy heads: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if havePrev {
			prev.Unchanged = true
			return prev, errUnchanged
		}
		// The first checkpoint of an empty ledger: sign the empty tree.
	}
	var badStream string
	var badSeq int64
	err = tx.QueryRow(ctx, `SELECT ch.stream, ch.seq FROM ledger.checkpoint_heads ch
  WHERE ch.checkpoint_id = $1 AND NOT EXISTS (SELECT 1 FROM ledger.entries e
    WHERE e.stream = ch.stream AND e.seq = ch.seq AND e.hash = ch.hash)
  ORDER BY ch.stream LIMIT 1`, c.ID).Scan(&badStream, &badSeq)
	if err == nil {
		return CheckpointInfo{}, fmt.Errorf("head of stream %q (seq %d) does not match its entry; run verify", badStream, badSeq)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return CheckpointInfo{}, fmt.Errorf("check heads: %w", err)
	}
	c.MerkleRoot, c.Streams, err = checkpointRoot(ctx, tx, c.ID, nil)
	if err != nil {
		return CheckpointInfo{}, err
	}
	c.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	c.Signature = ed25519.Sign(s.Key, c.Message())
	if _, err := tx.Exec(ctx, `INSERT INTO ledger.checkpoints (id, created_at, streams, merkle_root, prev_digest, key_id, signature)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.CreatedAt, c.Streams, c.MerkleRoot, c.PrevDigest, c.KeyID, c.Signature); err != nil {
		return CheckpointInfo{}, fmt.Errorf("store: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO ledger.signed_heads AS s (stream, seq, hash, checkpoint_id)
  SELECT stream, seq, hash, checkpoint_id FROM ledger.checkpoint_heads WHERE checkpoint_id = $1
  ON CONFLICT (stream) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, checkpoint_id = EXCLUDED.checkpoint_id`, c.ID); err != nil {
		return CheckpointInfo{}, fmt.Errorf("move signed heads: %w", err)
	}
	return c, nil
}

// checkpointRoot streams the stored heads of checkpoint id in stream order
// and returns their Merkle root and count. When onHead is not nil it is
// called for every head with the hash of the entry at that stream and seq
// (nil when there is none).
func checkpointRoot(ctx context.Context, db DBTX, id int64, onHead func(stream string, seq int64, hash, entryHash []byte)) ([]byte, int64, error) {
	q := `SELECT ch.stream, ch.seq, ch.hash, NULL::bytea FROM ledger.checkpoint_heads ch
  WHERE ch.checkpoint_id = $1 ORDER BY ch.stream`
	if onHead != nil {
		q = `SELECT ch.stream, ch.seq, ch.hash, e.hash FROM ledger.checkpoint_heads ch
  LEFT JOIN ledger.entries e ON e.stream = ch.stream AND e.seq = ch.seq
  WHERE ch.checkpoint_id = $1 ORDER BY ch.stream`
	}
	rows, err := db.Query(ctx, q, id)
	if err != nil {
		return nil, 0, fmt.Errorf("read heads of checkpoint %d: %w", id, err)
	}
	defer rows.Close()
	var m merkle
	var stream string
	var seq int64
	var hash, entryHash []byte
	for rows.Next() {
		if err := rows.Scan(&stream, &seq, &hash, &entryHash); err != nil {
			return nil, 0, fmt.Errorf("read heads of checkpoint %d: %w", id, err)
		}
		m.add(stream, seq, hash)
		if onHead != nil {
			onHead(stream, seq, hash, entryHash)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read heads of checkpoint %d: %w", id, err)
	}
	return m.root(), m.n, nil
}

const checkpointColumns = `id, created_at, streams, merkle_root, prev_digest, key_id, signature`

func scanCheckpoint(row pgx.CollectableRow) (CheckpointInfo, error) {
	var c CheckpointInfo
	err := row.Scan(&c.ID, &c.CreatedAt, &c.Streams, &c.MerkleRoot, &c.PrevDigest, &c.KeyID, &c.Signature)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

func lastCheckpoint(ctx context.Context, db DBTX) (CheckpointInfo, bool, error) {
	rows, err := db.Query(ctx, `SELECT `+checkpointColumns+` FROM ledger.checkpoints ORDER BY id DESC LIMIT 1`)
	if err != nil {
		return CheckpointInfo{}, false, fmt.Errorf("read last checkpoint: %w", err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanCheckpoint)
	if errors.Is(err, pgx.ErrNoRows) {
		return CheckpointInfo{}, false, nil
	}
	if err != nil {
		return CheckpointInfo{}, false, fmt.Errorf("read last checkpoint: %w", err)
	}
	return c, true, nil
}

// LastCheckpoint returns the newest checkpoint, or false when there is none.
func LastCheckpoint(ctx context.Context, db DBTX) (CheckpointInfo, bool, error) {
	c, ok, err := lastCheckpoint(ctx, db)
	if err != nil {
		return c, ok, fmt.Errorf("ledger: %w", err)
	}
	return c, ok, nil
}

// KeepSigned makes a checkpoint every interval until ctx ends, so every
// stream's newest head is signed within about one interval of its append:
// a tail rewritten or truncated after that is found by Verify. It calls
// done (may be nil) after each attempt that made a checkpoint or failed;
// an unchanged ledger costs one query per interval and calls nothing.
// Run it in one process per deployment or more (makers take turns).
func KeepSigned(ctx context.Context, pool *pgxpool.Pool, s Signer, interval time.Duration, done func(CheckpointInfo, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c, err := Checkpoint(ctx, pool, s)
		if ctx.Err() != nil {
			return
		}
		if done != nil && (err != nil || !c.Unchanged) {
			done(c, err)
		}
	}
}

// SignedHead returns the newest signed seq and hash of stream and the
// checkpoint that signed it, or false when no checkpoint signed it yet.
func SignedHead(ctx context.Context, db DBTX, stream string) (seq int64, hash []byte, checkpoint int64, ok bool, err error) {
	err = db.QueryRow(ctx, `SELECT seq, hash, checkpoint_id FROM ledger.checkpoint_heads WHERE stream = $1
  ORDER BY checkpoint_id DESC LIMIT 1`, stream).Scan(&seq, &hash, &checkpoint)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, 0, false, nil
	}
	if err != nil {
		return 0, nil, 0, false, fmt.Errorf("ledger: signed head of %q: %w", stream, err)
	}
	return seq, hash, checkpoint, true, nil
}

// CheckpointByID returns checkpoint id, or false when there is none.
func CheckpointByID(ctx context.Context, db DBTX, id int64) (CheckpointInfo, bool, error) {
	rows, err := db.Query(ctx, `SELECT `+checkpointColumns+` FROM ledger.checkpoints WHERE id = $1`, id)
	if err != nil {
		return CheckpointInfo{}, false, fmt.Errorf("ledger: read checkpoint %d: %w", id, err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanCheckpoint)
	if errors.Is(err, pgx.ErrNoRows) {
		return CheckpointInfo{}, false, nil
	}
	if err != nil {
		return CheckpointInfo{}, false, fmt.Errorf("ledger: read checkpoint %d: %w", id, err)
	}
	return c, true, nil
}
