package ledger

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Problem is one thing Verify found wrong. Stream and Seq name the entry
// concerned (Seq is 0 when the problem is about a whole stream or none);
// Checkpoint is the checkpoint concerned, 0 when none.
type Problem struct {
	Stream     string
	Seq        int64
	Checkpoint int64
	What       string
}

// String describes p on one line.
func (p Problem) String() string {
	var b strings.Builder
	if p.Stream != "" {
		fmt.Fprintf(&b, "stream %q", p.Stream)
		if p.Seq > 0 {
			fmt.Fprintf(&b, " seq %d", p.Seq)
		}
		b.WriteString(": ")
	} else if p.Checkpoint > 0 {
		fmt.Fprintf(&b, "checkpoint %d: ", p.Checkpoint)
	}
	b.WriteString(p.What)
	return b.String()
}

// maxProblems bounds the problems a Report keeps; ProblemCount counts all.
const maxProblems = 100

// Report is the outcome of Verify: what it checked and what it found.
// Problems holds the first problems found (at most 100), the first broken
// entry in (stream, seq) order first, problems with checkpoints that are not
// about one entry last.
type Report struct {
	Entries     int64
	Streams     int64
	Checkpoints int64
	// Unsigned counts the entries newer than their stream's newest signed
	// head, in UnsignedStreams streams: the window in which a rewritten or
	// truncated tail cannot be told from the truth yet (the next checkpoint
	// closes it).
	Unsigned        int64
	UnsignedStreams int64
	Problems        []Problem
	ProblemCount    int64
}

// ErrNoTrustedKeys is the problem Verify reports when it is given no
// trusted key: it then trusts no checkpoint, so the ledger cannot be
// called intact.
var ErrNoTrustedKeys = errors.New("no trusted checkpoint key configured, so no checkpoint can be trusted (give the signer's public key: nrctl ledger verify --key FILE, or LEDGER_TRUSTED_KEYS)")

// OK reports whether nothing was found wrong.
func (r Report) OK() bool { return r.ProblemCount == 0 }

// First returns the first problem, or false when there is none.
func (r Report) First() (Problem, bool) {
	if len(r.Problems) == 0 {
		return Problem{}, false
	}
	return r.Problems[0], true
}

// String summarises r on one line.
func (r Report) String() string {
	s := fmt.Sprintf("%d entries in %d streams, %d checkpoints", r.Entries, r.Streams, r.Checkpoints)
	if p, ok := r.First(); ok {
		return fmt.Sprintf("ledger BROKEN: %s (%s checked, %d problems)", p, s, r.ProblemCount)
	}
	out := "ledger intact: " + s + " verified"
	if r.Unsigned > 0 {
		out += fmt.Sprintf("; %d entries in %d streams are newer than the last checkpoint (not signed yet)", r.Unsigned, r.UnsignedStreams)
	}
	return out
}

func (r *Report) add(p Problem) {
	r.ProblemCount++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, p)
	}
}

// Verify recomputes the whole ledger from one consistent snapshot: for
// every entry, in (stream, seq) order, the payload digest, the content
// digest, seq continuity from 1, the link to the previous entry and the
// hash; that every stream's head matches its last entry; and for every
// checkpoint its chain to the previous one, its signature (by one of the
// trusted keys, matched by key id; keys stored in the database are never
// trusted, and with no trusted key at all Verify fails closed with
// ErrNoTrustedKeys), its Merkle root over its stored heads, and that every
// head it signed is still the entry at that stream and seq, so a tail
// rewritten or truncated below a signed head is found. Entries newer than
// their stream's last signed head are counted in Report.Unsigned: nothing
// can tell a rewrite of those yet. It streams rows and
// holds O(log streams) state, never the ledger. Problems are reported in
// the Report; the error is only for failing to read (it uses two pool
// connections for a while).
func Verify(ctx context.Context, pool *pgxpool.Pool, trusted []ed25519.PublicKey) (Report, error) {
	var r Report
	a, err := pool.Acquire(ctx)
	if err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	defer a.Release()
	b, err := pool.Acquire(ctx)
	if err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	defer b.Release()
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	txA, err := a.BeginTx(ctx, opts)
	if err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	defer txA.Rollback(ctx) //nolint:errcheck // read-only
	var snapshot string
	if err := txA.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return r, fmt.Errorf("ledger: verify: export snapshot: %w", err)
	}
	txB, err := b.BeginTx(ctx, opts)
	if err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	defer txB.Rollback(ctx) //nolint:errcheck // read-only
	if _, err := txB.Exec(ctx, `SET TRANSACTION SNAPSHOT `+quoteLiteral(snapshot)); err != nil {
		return r, fmt.Errorf("ledger: verify: import snapshot: %w", err)
	}
	if err := verifyEntries(ctx, txA, txB, &r); err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	if err := verifyCheckpoints(ctx, txA, trusted, &r); err != nil {
		return r, fmt.Errorf("ledger: verify: %w", err)
	}
	// The unsigned tail, from the heads (checked against the entries above)
	// and the newest head each stream had signed.
	if err := txA.QueryRow(ctx, `SELECT coalesce(sum(h.seq - coalesce(s.seq, 0)), 0), count(*) FROM ledger.heads h
  LEFT JOIN (SELECT DISTINCT ON (stream) stream, seq FROM ledger.checkpoint_heads ORDER BY stream, checkpoint_id DESC) s
    ON s.stream = h.stream
  WHERE h.seq > coalesce(s.seq, 0)`).Scan(&r.Unsigned, &r.UnsignedStreams); err != nil {
		return r, fmt.Errorf("ledger: verify: unsigned tail: %w", err)
	}
	slices.SortStableFunc(r.Problems, func(x, y Problem) int {
		if (x.Stream == "") != (y.Stream == "") {
			if x.Stream == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(strings.Compare(x.Stream, y.Stream), cmp.Compare(x.Seq, y.Seq))
	})
	return r, nil
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// headCursor walks ledger.heads in stream order alongside the entries.
type headCursor struct {
	rows   pgx.Rows
	ok     bool
	stream string
	seq    int64
	hash   []byte
}

func (h *headCursor) next() error {
	h.ok = h.rows.Next()
	if !h.ok {
		return h.rows.Err()
	}
	return h.rows.Scan(&h.stream, &h.seq, &h.hash)
}

// verifyEntries checks every entry against its stored predecessor (so one
// tampered entry shows as one or two problems, not a cascade) and merges the
// heads in, both read in byte order of stream.
func verifyEntries(ctx context.Context, txA, txB pgx.Tx, r *Report) error {
	heads, err := txB.Query(ctx, `SELECT stream, seq, hash FROM ledger.heads ORDER BY stream`)
	if err != nil {
		return fmt.Errorf("read heads: %w", err)
	}
	defer heads.Close()
	hc := &headCursor{rows: heads}
	if err := hc.next(); err != nil {
		return fmt.Errorf("read heads: %w", err)
	}
	rows, err := txA.Query(ctx, `SELECT `+recordColumns+` FROM ledger.entries ORDER BY stream, seq`)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()

	var last Record // the previous entry of the current stream
	inStream := false
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return fmt.Errorf("read entries: %w", err)
		}
		r.Entries++
		if !inStream || rec.Stream != last.Stream {
			if inStream {
				if err := checkHead(hc, last, r); err != nil {
					return err
				}
			}
			inStream = true
			r.Streams++
			last = Record{Entry: Entry{Stream: rec.Stream}, Hash: genesis}
		}
		checkEntry(rec, last, r)
		last = rec
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	if inStream {
		if err := checkHead(hc, last, r); err != nil {
			return err
		}
	}
	for hc.ok {
		r.add(Problem{Stream: hc.stream, Seq: 1, What: fmt.Sprintf("head at seq %d but the stream has no entries", hc.seq)})
		if err := hc.next(); err != nil {
			return fmt.Errorf("read heads: %w", err)
		}
	}
	return nil
}

// checkEntry checks rec given the stored previous entry of its stream
// (prev.Seq 0 and prev.Hash genesis before the first).
func checkEntry(rec, prev Record, r *Report) {
	if rec.Seq != prev.Seq+1 {
		what := fmt.Sprintf("missing: the entry after seq %d is seq %d", prev.Seq, rec.Seq)
		if prev.Seq == 0 {
			what = fmt.Sprintf("missing: the stream starts at seq %d", rec.Seq)
		}
		r.add(Problem{Stream: rec.Stream, Seq: prev.Seq + 1, What: what})
	}
	p := Problem{Stream: rec.Stream, Seq: rec.Seq}
	switch {
	case !bytes.Equal(payloadDigest(rec.Payload), rec.PayloadDigest):
		p.What = "payload does not match its digest (payload changed)"
	case !bytes.Equal(contentDigest(rec.Entry, rec.PayloadDigest), rec.ContentDigest):
		p.What = "content does not match its digest (a field or the payload digest changed)"
	case !bytes.Equal(chainHash(rec.PrevHash, rec.Seq, rec.ContentDigest), rec.Hash):
		p.What = "hash does not match prev_hash, seq and content digest"
	case rec.Seq == prev.Seq+1 && !bytes.Equal(rec.PrevHash, prev.Hash):
		if prev.Seq == 0 {
			p.What = "prev_hash of the first entry is not the genesis hash"
		} else {
			p.What = fmt.Sprintf("prev_hash does not link to the hash of seq %d (entries changed, swapped or replaced)", prev.Seq)
		}
	default:
		return
	}
	r.add(p)
}

// checkHead compares the stream's last entry with its head, reporting heads
// of streams that have no entries on the way.
func checkHead(hc *headCursor, last Record, r *Report) error {
	for hc.ok && hc.stream < last.Stream {
		r.add(Problem{Stream: hc.stream, Seq: 1, What: fmt.Sprintf("head at seq %d but the stream has no entries", hc.seq)})
		if err := hc.next(); err != nil {
			return fmt.Errorf("read heads: %w", err)
		}
	}
	if !hc.ok || hc.stream != last.Stream {
		r.add(Problem{Stream: last.Stream, What: "the stream has no head"})
		return nil
	}
	switch {
	case hc.seq > last.Seq:
		r.add(Problem{Stream: last.Stream, Seq: last.Seq + 1, What: fmt.Sprintf("missing: the head is at seq %d but the last entry is seq %d", hc.seq, last.Seq)})
	case hc.seq < last.Seq:
		r.add(Problem{Stream: last.Stream, Seq: hc.seq + 1, What: fmt.Sprintf("entries after the head (head at seq %d, last entry seq %d)", hc.seq, last.Seq)})
	case !bytes.Equal(hc.hash, last.Hash):
		r.add(Problem{Stream: last.Stream, Seq: last.Seq, What: "the head's hash differs from the last entry's hash"})
	}
	if err := hc.next(); err != nil {
		return fmt.Errorf("read heads: %w", err)
	}
	return nil
}

// verifyCheckpoints checks every checkpoint, a page at a time.
func verifyCheckpoints(ctx context.Context, tx pgx.Tx, trusted []ed25519.PublicKey, r *Report) error {
	// Only configured keys count; ledger.keys is data an attacker with the
	// database could write, so it is never consulted.
	keys := map[string]ed25519.PublicKey{}
	for _, pub := range trusted {
		if len(pub) == ed25519.PublicKeySize {
			keys[KeyIDOf(pub)] = pub
		}
	}
	if len(keys) == 0 {
		r.add(Problem{What: ErrNoTrustedKeys.Error()})
	}

	// Signed heads outlive a removed newest checkpoint (a refused or
	// unchanged checkpoint leaves none behind); both maxima come from indexes.
	var headsMax, maxID *int64
	if err := tx.QueryRow(ctx, `SELECT (SELECT max(checkpoint_id) FROM ledger.checkpoint_heads),
  (SELECT max(id) FROM ledger.checkpoints)`).Scan(&headsMax, &maxID); err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	if headsMax != nil && (maxID == nil || *headsMax > *maxID) {
		r.add(Problem{Checkpoint: *headsMax, What: "removed: its signed heads remain but the checkpoint is gone"})
	}

	prevDigest := genesis
	var prevID int64
	for after := int64(0); ; {
		rows, err := tx.Query(ctx, `SELECT `+checkpointColumns+` FROM ledger.checkpoints WHERE id > $1 ORDER BY id LIMIT 100`, after)
		if err != nil {
			return fmt.Errorf("read checkpoints: %w", err)
		}
		page, err := pgx.CollectRows(rows, scanCheckpoint)
		if err != nil {
			return fmt.Errorf("read checkpoints: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, c := range page {
			r.Checkpoints++
			bad := func(what string) { r.add(Problem{Checkpoint: c.ID, What: what}) }
			if !bytes.Equal(c.PrevDigest, prevDigest) {
				if prevID == 0 {
					bad("does not chain to the start (an earlier checkpoint was removed)")
				} else {
					bad(fmt.Sprintf("does not chain to checkpoint %d (a checkpoint was removed or changed)", prevID))
				}
			}
			prevDigest, prevID = c.Digest(), c.ID
			switch pub, ok := keys[c.KeyID]; {
			case !ok:
				if len(keys) > 0 {
					bad(fmt.Sprintf("signed by key %s, which is not trusted", c.KeyID))
				}
			case !ed25519.Verify(pub, c.Message(), c.Signature):
				bad(fmt.Sprintf("signature by key %s does not verify (checkpoint changed or forged)", c.KeyID))
			}
			root, n, err := checkpointRoot(ctx, tx, c.ID, func(stream string, seq int64, hash, entryHash []byte) {
				switch {
				case entryHash == nil:
					r.add(Problem{Stream: stream, Seq: seq, Checkpoint: c.ID, What: fmt.Sprintf("missing: signed by checkpoint %d but not in the ledger", c.ID)})
				case !bytes.Equal(hash, entryHash):
					r.add(Problem{Stream: stream, Seq: seq, Checkpoint: c.ID, What: fmt.Sprintf("differs from the entry signed by checkpoint %d", c.ID)})
				}
			})
			if err != nil {
				return err
			}
			if n != c.Streams {
				bad(fmt.Sprintf("has %d stored heads but signed %d", n, c.Streams))
			}
			if !bytes.Equal(root, c.MerkleRoot) {
				bad("Merkle root does not match its stored heads")
			}
		}
		after = page[len(page)-1].ID
	}
}
