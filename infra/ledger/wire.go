package ledger

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// CheckpointJSON is a checkpoint as the audit function publishes it
// (GET /api/v1/ledger/checkpoints/latest): hashes in hex, the signature in
// base64, Digest the value the next checkpoint's prevDigest holds. Keep
// the latest one outside the system: nrctl ledger verify --witness FILE
// then finds a removed or replaced newest checkpoint.
type CheckpointJSON struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"createdAt"`
	Streams    int64     `json:"streams"`
	MerkleRoot string    `json:"merkleRoot"`
	PrevDigest string    `json:"prevDigest"`
	KeyID      string    `json:"keyId"`
	Signature  string    `json:"signature"`
	Digest     string    `json:"digest"`
}

// JSON returns c in its published form.
func (c CheckpointInfo) JSON() CheckpointJSON {
	return CheckpointJSON{ID: c.ID, CreatedAt: c.CreatedAt, Streams: c.Streams, MerkleRoot: hex.EncodeToString(c.MerkleRoot),
		PrevDigest: hex.EncodeToString(c.PrevDigest), KeyID: c.KeyID, Signature: base64.StdEncoding.EncodeToString(c.Signature),
		Digest: hex.EncodeToString(c.Digest())}
}

// Info decodes j; it does not check the signature (VerifySignature does).
func (j CheckpointJSON) Info() (CheckpointInfo, error) {
	c := CheckpointInfo{ID: j.ID, CreatedAt: j.CreatedAt.UTC(), Streams: j.Streams, KeyID: j.KeyID}
	var err error
	if c.MerkleRoot, err = hex32(j.MerkleRoot); err != nil {
		return c, fmt.Errorf("ledger: checkpoint merkleRoot: %w", err)
	}
	if c.PrevDigest, err = hex32(j.PrevDigest); err != nil {
		return c, fmt.Errorf("ledger: checkpoint prevDigest: %w", err)
	}
	if c.Signature, err = base64.StdEncoding.DecodeString(j.Signature); err != nil {
		return c, fmt.Errorf("ledger: checkpoint signature: %w", err)
	}
	return c, nil
}

// ProofJSON is a Proof as the audit function publishes it
// (GET /api/v1/ledger/proofs/{stream}?entry=N): hashes in hex, nothing
// else about the entry.
type ProofJSON struct {
	Stream        string         `json:"stream"`
	Seq           int64          `json:"seq"`
	EntryHash     string         `json:"entryHash"`
	PrevHash      string         `json:"prevHash"`
	ContentDigest string         `json:"contentDigest"`
	Chain         []string       `json:"chain"`
	SignedSeq     int64          `json:"signedSeq"`
	LeafIndex     int64          `json:"leafIndex"`
	TreeSize      int64          `json:"treeSize"`
	AuditPath     []string       `json:"auditPath"`
	Checkpoint    CheckpointJSON `json:"checkpoint"`
}

// JSON returns p in its published form.
func (p Proof) JSON() ProofJSON {
	hexes := func(bs [][]byte) []string {
		out := make([]string, len(bs))
		for i, b := range bs {
			out[i] = hex.EncodeToString(b)
		}
		return out
	}
	return ProofJSON{Stream: p.Stream, Seq: p.Seq, EntryHash: hex.EncodeToString(p.EntryHash()), PrevHash: hex.EncodeToString(p.PrevHash),
		ContentDigest: hex.EncodeToString(p.ContentDigest), Chain: hexes(p.Chain), SignedSeq: p.SignedSeq, LeafIndex: p.LeafIndex,
		TreeSize: p.TreeSize, AuditPath: hexes(p.AuditPath), Checkpoint: p.Checkpoint.JSON()}
}

// Proof decodes j (Verify checks it).
func (j ProofJSON) Proof() (Proof, error) {
	p := Proof{Stream: j.Stream, Seq: j.Seq, SignedSeq: j.SignedSeq, LeafIndex: j.LeafIndex, TreeSize: j.TreeSize}
	var err error
	if p.PrevHash, err = hex32(j.PrevHash); err != nil {
		return p, fmt.Errorf("ledger: proof prevHash: %w", err)
	}
	if p.ContentDigest, err = hex32(j.ContentDigest); err != nil {
		return p, fmt.Errorf("ledger: proof contentDigest: %w", err)
	}
	for _, list := range []struct {
		in  []string
		out *[][]byte
	}{{j.Chain, &p.Chain}, {j.AuditPath, &p.AuditPath}} {
		for _, s := range list.in {
			b, err := hex32(s)
			if err != nil {
				return p, fmt.Errorf("ledger: proof: %w", err)
			}
			*list.out = append(*list.out, b)
		}
	}
	if p.Checkpoint, err = j.Checkpoint.Info(); err != nil {
		return p, err
	}
	return p, nil
}

func hex32(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("%q is not 32 bytes in hex", s)
	}
	return b, nil
}
