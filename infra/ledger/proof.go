package ledger

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Proof shows that the entry Seq of Stream is in the ledger as signed by a
// checkpoint, revealing only hashes: the entry's PrevHash and
// ContentDigest (anyone holding the entry recomputes the latter, see the
// package documentation), the content digests of the later entries up to
// the head the checkpoint signed (Chain, for seq Seq+1 … SignedSeq), and
// the RFC 6962 / RFC 9162 audit path of that head's leaf (at LeafIndex of
// TreeSize leaves) in the checkpoint's Merkle tree.
type Proof struct {
	Stream        string
	Seq           int64
	PrevHash      []byte
	ContentDigest []byte
	Chain         [][]byte
	SignedSeq     int64
	LeafIndex     int64
	TreeSize      int64
	AuditPath     [][]byte
	Checkpoint    CheckpointInfo
}

// Errors of ProveEntry.
var (
	// ErrNoEntry: the stream has no entry with that seq.
	ErrNoEntry = errors.New("ledger: no such entry")
	// ErrNotSignedYet: the entry exists but no checkpoint signed a head at
	// or after it yet (the next one will).
	ErrNotSignedYet = errors.New("ledger: entry not signed by a checkpoint yet")
)

// ProveEntry builds the Proof of entry seq of stream from the first
// checkpoint that signed the stream at or after it. It reads the heads
// that checkpoint signed (O(heads) work). It returns ErrNoEntry or
// ErrNotSignedYet, or an error for failing to read.
func ProveEntry(ctx context.Context, db DBTX, stream string, seq int64) (Proof, error) {
	p := Proof{Stream: stream, Seq: seq}
	var cpID int64
	var signedHash []byte
	err := db.QueryRow(ctx, `SELECT checkpoint_id, seq, hash FROM ledger.checkpoint_heads
  WHERE stream = $1 AND seq >= $2 ORDER BY checkpoint_id LIMIT 1`, stream, seq).Scan(&cpID, &p.SignedSeq, &signedHash)
	if errors.Is(err, pgx.ErrNoRows) {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND seq = $2`, stream, seq).Scan(&n); err != nil {
			return p, fmt.Errorf("ledger: prove: %w", err)
		}
		if n == 0 {
			return p, ErrNoEntry
		}
		return p, ErrNotSignedYet
	}
	if err != nil {
		return p, fmt.Errorf("ledger: prove: %w", err)
	}
	rows, err := db.Query(ctx, `SELECT seq, prev_hash, content_digest FROM ledger.entries
  WHERE stream = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`, stream, seq, p.SignedSeq)
	if err != nil {
		return p, fmt.Errorf("ledger: prove: %w", err)
	}
	var s int64
	var prev, cd []byte
	want := seq
	_, err = pgx.ForEachRow(rows, []any{&s, &prev, &cd}, func() error {
		if s != want {
			return fmt.Errorf("entry %d of %q is missing (run verify)", want, stream)
		}
		if s == seq {
			p.PrevHash, p.ContentDigest = prev, cd
		} else {
			p.Chain = append(p.Chain, cd)
		}
		want++
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("ledger: prove: %w", err)
	}
	if p.ContentDigest == nil {
		return p, ErrNoEntry
	}
	if want != p.SignedSeq+1 {
		return p, fmt.Errorf("ledger: prove: entries of %q up to the signed seq %d are missing (run verify)", stream, p.SignedSeq)
	}
	lrows, err := db.Query(ctx, `SELECT stream, seq, hash FROM ledger.checkpoint_heads WHERE checkpoint_id = $1 ORDER BY stream`, cpID)
	if err != nil {
		return p, fmt.Errorf("ledger: prove: %w", err)
	}
	var leaves [][]byte
	var ls string
	var lseq int64
	var lh []byte
	p.LeafIndex = -1
	_, err = pgx.ForEachRow(lrows, []any{&ls, &lseq, &lh}, func() error {
		if ls == stream {
			p.LeafIndex = int64(len(leaves))
		}
		leaves = append(leaves, leafHash(ls, lseq, lh))
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("ledger: prove: %w", err)
	}
	if p.LeafIndex < 0 {
		return p, fmt.Errorf("ledger: prove: checkpoint %d lost its head of %q (run verify)", cpID, stream)
	}
	p.TreeSize = int64(len(leaves))
	p.AuditPath = auditPath(int(p.LeafIndex), leaves)
	crows, err := db.Query(ctx, `SELECT `+checkpointColumns+` FROM ledger.checkpoints WHERE id = $1`, cpID)
	if err != nil {
		return p, fmt.Errorf("ledger: prove: %w", err)
	}
	if p.Checkpoint, err = pgx.CollectExactlyOneRow(crows, scanCheckpoint); err != nil {
		return p, fmt.Errorf("ledger: prove: checkpoint %d: %w", cpID, err)
	}
	return p, nil
}

// EntryHash returns the hash of the proven entry.
func (p Proof) EntryHash() []byte { return chainHash(p.PrevHash, p.Seq, p.ContentDigest) }

// Verify checks p on its own (no database): the chain from the entry to the
// signed head, the audit path to the checkpoint's Merkle root, the tree size,
// and the checkpoint's signature by one of trusted (matched by key id). It
// returns nil only when all hold.
func (p Proof) Verify(trusted []ed25519.PublicKey) error {
	if len(p.PrevHash) != 32 || len(p.ContentDigest) != 32 {
		return errors.New("ledger: proof: entry hashes missing")
	}
	if p.SignedSeq != p.Seq+int64(len(p.Chain)) {
		return fmt.Errorf("ledger: proof: chain of %d links does not lead from seq %d to the signed seq %d", len(p.Chain), p.Seq, p.SignedSeq)
	}
	h := p.EntryHash()
	for i, cd := range p.Chain {
		h = chainHash(h, p.Seq+1+int64(i), cd)
	}
	root, err := rootFromPath(leafHash(p.Stream, p.SignedSeq, h), p.LeafIndex, p.TreeSize, p.AuditPath)
	if err != nil {
		return err
	}
	c := p.Checkpoint
	if p.TreeSize != c.Streams {
		return fmt.Errorf("ledger: proof: tree of %d leaves, but checkpoint %d signed %d heads", p.TreeSize, c.ID, c.Streams)
	}
	if !bytes.Equal(root, c.MerkleRoot) {
		return fmt.Errorf("ledger: proof: audit path does not lead to the Merkle root of checkpoint %d", c.ID)
	}
	return c.VerifySignature(trusted)
}

// VerifySignature checks c's signature by the trusted key with c's key id;
// it fails closed when trusted is empty or holds no key of that id.
func (c CheckpointInfo) VerifySignature(trusted []ed25519.PublicKey) error {
	if len(trusted) == 0 {
		return ErrNoTrustedKeys
	}
	for _, pub := range trusted {
		if len(pub) == ed25519.PublicKeySize && KeyIDOf(pub) == c.KeyID {
			if !ed25519.Verify(pub, c.Message(), c.Signature) {
				return fmt.Errorf("ledger: checkpoint %d: signature by key %s does not verify", c.ID, c.KeyID)
			}
			return nil
		}
	}
	return fmt.Errorf("ledger: checkpoint %d: signed by key %s, which is not trusted", c.ID, c.KeyID)
}

// auditPath returns PATH(m, leaves) of RFC 6962 section 2.1.1 over leaf
// hashes.
func auditPath(m int, leaves [][]byte) [][]byte {
	n := len(leaves)
	if n <= 1 {
		return nil
	}
	k := 1
	for k*2 < n {
		k *= 2
	}
	if m < k {
		return append(auditPath(m, leaves[:k]), treeHash(leaves[k:]))
	}
	return append(auditPath(m-k, leaves[k:]), treeHash(leaves[:k]))
}

// treeHash returns MTH over leaf hashes.
func treeHash(leaves [][]byte) []byte {
	var m merkle
	for _, l := range leaves {
		m.addLeaf(l)
	}
	return m.root()
}

// rootFromPath is the inclusion check of RFC 9162 section 2.1.3.2: the root
// that leaf at index of a tree of size leaves leads to along path.
func rootFromPath(leaf []byte, index, size int64, path [][]byte) ([]byte, error) {
	if index < 0 || index >= size {
		return nil, fmt.Errorf("ledger: proof: leaf index %d outside a tree of %d", index, size)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return nil, errors.New("ledger: proof: audit path too long")
		}
		if fn&1 == 1 || fn == sn {
			r = nodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = nodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return nil, errors.New("ledger: proof: audit path too short")
	}
	return r, nil
}
