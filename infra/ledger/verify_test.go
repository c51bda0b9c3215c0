package ledger_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
)

func newSigner(t *testing.T) ledger.Signer {
	t.Helper()
	return ledger.NewSigner(newKey(t))
}

func newKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

// fill appends n entries to each stream, round robin.
func fill(t *testing.T, pool *pgxpool.Pool, streams []string, from, to int) {
	t.Helper()
	var es []ledger.Entry
	for i := from; i <= to; i++ {
		for _, s := range streams {
			es = append(es, entry(s, i))
		}
	}
	if _, err := ledger.AppendBatch(context.Background(), pool, es); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, pool *pgxpool.Pool, trusted ...ed25519.PublicKey) ledger.Report {
	t.Helper()
	r, err := ledger.Verify(context.Background(), pool, trusted)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyIntactLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 4)
	s := newSigner(t)
	if r := verify(t, pool, s.PublicKey()); !r.OK() || r.Entries != 0 {
		t.Fatalf("empty ledger: %s", r)
	}
	fill(t, pool, []string{"a", "b", "c"}, 1, 4)
	c1, err := ledger.Checkpoint(ctx, pool, s)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Streams != 3 || c1.Unchanged {
		t.Errorf("checkpoint 1: %+v", c1)
	}
	again, err := ledger.Checkpoint(ctx, pool, s)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Unchanged || again.ID != c1.ID {
		t.Errorf("checkpoint without appends made a new one: %+v", again)
	}
	fill(t, pool, []string{"b", "d"}, 5, 6)
	c2, err := ledger.Checkpoint(ctx, pool, s)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Streams != 2 {
		t.Errorf("checkpoint 2 signed %d heads, want the 2 that moved", c2.Streams)
	}
	r := verify(t, pool, s.PublicKey())
	if !r.OK() {
		t.Fatalf("intact ledger reported broken: %s %v", r, r.Problems)
	}
	if r.Entries != 16 || r.Streams != 4 || r.Checkpoints != 2 {
		t.Errorf("counts: %s", r)
	}
	if !strings.HasPrefix(r.String(), "ledger intact: 16 entries in 4 streams, 2 checkpoints") {
		t.Errorf("summary: %s", r)
	}
}

// rehash rewrites stream's entries from seq from on, and its head, so that
// the chain is consistent again: what a careful forger would do.
func rehash(t *testing.T, pool *pgxpool.Pool, stream string) {
	t.Helper()
	ctx := context.Background()
	recs, err := ledger.Stream(ctx, pool, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	prev := make([]byte, 32)
	for _, r := range recs {
		pd := sha256.Sum256(r.Payload)
		// The content digest covers the payload digest; recompute it the way
		// the package documents it.
		cd := contentDigest(r.Entry, pd[:])
		h := hashOf(prev, r.Seq, cd)
		tamper(t, pool, `UPDATE ledger.entries SET payload_digest = $3, content_digest = $4, prev_hash = $5, hash = $6 WHERE stream = $1 AND seq = $2`,
			stream, r.Seq, pd[:], cd, prev, h)
		prev = h
	}
	tamper(t, pool, `UPDATE ledger.heads SET hash = $2, prev_hash = (SELECT prev_hash FROM ledger.entries WHERE stream = $1 ORDER BY seq DESC LIMIT 1) WHERE stream = $1`, stream, prev)
}

// contentDigest is the documented canonical encoding, written again here
// from the package documentation.
func contentDigest(e ledger.Entry, payloadDigest []byte) []byte {
	h := sha256.New()
	field := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte("nemrefusion.ledger.entry.v1"))
	field([]byte(e.Stream))
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(e.RecordedAt.UnixMicro()))
	field(ts[:])
	for _, s := range []string{e.Actor, e.Role, e.OnBehalfOf, e.EventType, e.EventSource, e.EventID, e.Cause, e.Correlation} {
		field([]byte(s))
	}
	if e.Reason == nil {
		h.Write([]byte{0})
	} else {
		h.Write([]byte{1})
		field(e.Reason)
	}
	field(payloadDigest)
	return h.Sum(nil)
}

func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	other := newSigner(t)
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, pool *pgxpool.Pool)
		stream string // first problem; "" for a checkpoint problem
		seq    int64
		what   string
	}{
		{name: "payload changed", stream: "b", seq: 3, what: "payload does not match",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.entries SET payload = '{"i":99}' WHERE stream = 'b' AND seq = 3`)
			}},
		{name: "payload and its digest changed", stream: "b", seq: 3, what: "content does not match",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.entries SET payload = 'x', payload_digest = sha256('x') WHERE stream = 'b' AND seq = 3`)
			}},
		{name: "actor changed", stream: "a", seq: 1, what: "content does not match",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.entries SET actor = 'someone-else' WHERE stream = 'a' AND seq = 1`)
			}},
		{name: "reason reformatted", stream: "c", seq: 2, what: "content does not match",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.entries SET reason = reason::jsonb::json WHERE stream = 'c' AND seq = 2`)
			}},
		{name: "content digest changed", stream: "b", seq: 3, what: "content does not match",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.entries SET content_digest = sha256('x'), hash = sha256(prev_hash || int8send(seq) || sha256('x')) WHERE stream = 'b' AND seq = 3`)
			}},
		{name: "one entry rewritten with its digests and hash", stream: "b", seq: 4, what: "prev_hash does not link",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				recs, err := ledger.Stream(context.Background(), pool, "b", 0)
				if err != nil {
					t.Fatal(err)
				}
				r := recs[2]
				r.Actor = "forger"
				cd := contentDigest(r.Entry, r.PayloadDigest)
				tamper(t, pool, `UPDATE ledger.entries SET actor = $1, content_digest = $2, hash = $3 WHERE stream = 'b' AND seq = 3`,
					r.Actor, cd, hashOf(r.PrevHash, 3, cd))
			}},
		{name: "middle row deleted", stream: "b", seq: 3, what: "missing",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `DELETE FROM ledger.entries WHERE stream = 'b' AND seq = 3`)
			}},
		{name: "first row deleted", stream: "c", seq: 1, what: "missing: the stream starts at seq 2",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `DELETE FROM ledger.entries WHERE stream = 'c' AND seq = 1`)
			}},
		{name: "last row deleted", stream: "b", seq: 5, what: "missing: the head is at seq 5",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `DELETE FROM ledger.entries WHERE stream = 'b' AND seq = 5`)
			}},
		{name: "last row deleted and head moved back", stream: "b", seq: 5, what: "signed by checkpoint 1 but not in the ledger",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `DELETE FROM ledger.entries WHERE stream = 'b' AND seq = 5`)
				tamper(t, pool, `UPDATE ledger.heads h SET seq = 4, prev_hash = e.prev_hash, hash = e.hash FROM ledger.entries e WHERE h.stream = 'b' AND e.stream = 'b' AND e.seq = 4`)
			}},
		{name: "all entries truncated", stream: "a", seq: 1, what: "head at seq 5 but the stream has no entries",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `TRUNCATE ledger.entries`)
			}},
		{name: "two rows swapped", stream: "b", seq: 2, what: "hash does not match prev_hash, seq",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.entries e SET recorded_at = o.recorded_at, actor = o.actor, role = o.role,
  on_behalf_of = o.on_behalf_of, event_type = o.event_type, event_source = o.event_source, event_id = o.event_id,
  cause = o.cause, correlation = o.correlation, reason = o.reason, payload = o.payload, payload_digest = o.payload_digest,
  content_digest = o.content_digest, prev_hash = o.prev_hash, hash = o.hash
  FROM ledger.entries o WHERE e.stream = 'b' AND o.stream = 'b' AND ((e.seq = 2 AND o.seq = 3) OR (e.seq = 3 AND o.seq = 2))`)
			}},
		{name: "stream rewritten and rehashed", stream: "b", seq: 5, what: "differs from the entry signed by checkpoint 1",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.entries SET payload = '{"i":"forged"}' WHERE stream = 'b' AND seq = 2`)
				rehash(t, pool, "b")
			}},
		{name: "head changed", stream: "b", seq: 5, what: "head's hash differs",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.heads SET hash = sha256(hash) WHERE stream = 'b'`)
			}},
		{name: "checkpoint root changed", stream: "", what: "signature by key",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.checkpoints SET merkle_root = sha256(merkle_root) WHERE id = 1`)
			}},
		{name: "checkpoint head changed", stream: "a", seq: 5, what: "differs from the entry signed by checkpoint 1",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `UPDATE ledger.checkpoint_heads SET hash = sha256(hash) WHERE checkpoint_id = 1 AND stream = 'a'`)
			}},
		{name: "checkpoint signed head removed", stream: "", what: "has 2 stored heads but signed 3",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `DELETE FROM ledger.checkpoint_heads WHERE checkpoint_id = 1 AND stream = 'c'`)
			}},
		{name: "last checkpoint removed", stream: "", what: "removed",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				tamper(t, pool, `DELETE FROM ledger.checkpoints WHERE id = 1`)
			}},
		{name: "earlier checkpoint removed", stream: "", what: "does not chain to the start",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				fill(t, pool, []string{"d"}, 1, 1)
				if _, err := ledger.Checkpoint(context.Background(), pool, other); err != nil {
					t.Fatal(err)
				}
				tamper(t, pool, `DELETE FROM ledger.checkpoints WHERE id = 1`)
			}},
		{name: "checkpoint signed by an untrusted key", stream: "", what: "which is not trusted",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				fill(t, pool, []string{"a"}, 6, 6)
				if _, err := ledger.Checkpoint(context.Background(), pool, other); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "checkpoint re-signed by the forger under the trusted key's id", stream: "", what: "does not verify",
			tamper: func(t *testing.T, pool *pgxpool.Pool) {
				c, _, err := ledger.LastCheckpoint(context.Background(), pool)
				if err != nil {
					t.Fatal(err)
				}
				tamper(t, pool, `UPDATE ledger.checkpoints SET signature = $1 WHERE id = $2`, ed25519.Sign(other.Key, c.Message()), c.ID)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool := newDB(t, 4)
			s := newSigner(t)
			fill(t, pool, []string{"a", "b", "c"}, 1, 5)
			if _, err := ledger.Checkpoint(context.Background(), pool, s); err != nil {
				t.Fatal(err)
			}
			trusted := []ed25519.PublicKey{s.PublicKey()}
			if r := verify(t, pool, trusted...); !r.OK() {
				t.Fatalf("broken before tampering: %s", r)
			}
			tc.tamper(t, pool)
			r := verify(t, pool, trusted...)
			p, ok := r.First()
			if !ok {
				t.Fatalf("tampering not detected: %s", r)
			}
			if p.Stream != tc.stream || (tc.stream != "" && p.Seq != tc.seq) || !strings.Contains(p.What, tc.what) {
				t.Errorf("first problem %s; want stream %q seq %d %q\nall: %v", p, tc.stream, tc.seq, tc.what, r.Problems)
			}
			if !strings.HasPrefix(r.String(), "ledger BROKEN: ") {
				t.Errorf("summary: %s", r)
			}
		})
	}
}

func TestCheckpointRefusesToSignATamperedHead(t *testing.T) {
	t.Parallel()
	pool := newDB(t, 4)
	fill(t, pool, []string{"a", "b"}, 1, 2)
	tamper(t, pool, `UPDATE ledger.heads SET hash = sha256(hash) WHERE stream = 'b'`)
	_, err := ledger.Checkpoint(context.Background(), pool, newSigner(t))
	if err == nil || !strings.Contains(err.Error(), `"b"`) {
		t.Fatalf("checkpoint over a tampered head: %v", err)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger.checkpoint_heads`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("refused checkpoint left %d heads behind", n)
	}
}

func TestVerifyReadsOneSnapshotWhileAppendsGoOn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 12)
	s := newSigner(t)
	streams := []string{"a", "b", "c", "d"}
	fill(t, pool, streams, 1, 3)
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for i := 4; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if _, err := ledger.AppendBatch(ctx, pool, []ledger.Entry{entry(streams[i%4], i), entry(streams[(i+1)%4], i)}); err != nil {
				errs <- err
				return
			}
			if i%5 == 0 {
				if _, err := ledger.Checkpoint(ctx, pool, s); err != nil {
					errs <- err
					return
				}
			}
		}
	}()
	for range 5 {
		if r := verify(t, pool, s.PublicKey()); !r.OK() {
			t.Errorf("verify during appends: %s %v", r, r.Problems)
		}
	}
	close(done)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestLoadOrCreateSigner(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys", "ledger-ed25519.key")
	a, err := ledger.LoadOrCreateSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ledger.LoadOrCreateSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.KeyID != b.KeyID || !bytes.Equal(a.Key, b.Key) || !strings.HasPrefix(a.KeyID, "ed25519:") {
		t.Errorf("reloaded key differs: %s %s", a.KeyID, b.KeyID)
	}
	for p, want := range map[string]uint32{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := statMode(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi != want {
			t.Errorf("%s has mode %o, want %o", p, fi, want)
		}
	}
}

func TestCheckpointDoesNotWaitForOpenAppends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 4)
	fill(t, pool, []string{"a", "b"}, 1, 2)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	// The open transaction holds the head row lock of stream a.
	if _, err := ledger.Append(ctx, tx, entry("a", 3)); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s := newSigner(t)
	c, err := ledger.Checkpoint(cctx, pool, s)
	if err != nil {
		t.Fatalf("checkpoint while an append is open: %v", err)
	}
	if c.Streams != 2 {
		t.Errorf("checkpoint signed %d streams, want 2", c.Streams)
	}
	// Appends to other streams go on while a checkpoint runs, and the open
	// append commits after it; the ledger stays verifiable.
	if _, err := ledger.Append(cctx, pool, entry("b", 3)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if r := verify(t, pool, s.PublicKey()); !r.OK() || r.Entries != 6 {
		t.Errorf("after checkpoint and commit: %s %v", r, r.Problems)
	}
}
