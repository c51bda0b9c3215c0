package ledger_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
)

// shared is one database for the tests that do not tamper; they use
// unique stream names.
var (
	sharedOnce sync.Once
	sharedPool *pgxpool.Pool
	sharedDrop func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDrop != nil {
		sharedDrop()
	}
	os.Exit(code)
}

func shared(t *testing.T) *pgxpool.Pool {
	t.Helper()
	sharedOnce.Do(func() {
		tb := &cleanupTB{TB: t}
		sharedPool = newDB(tb, 40)
		sharedDrop = tb.run
	})
	if sharedPool == nil {
		t.Fatal("shared database could not be created")
	}
	return sharedPool
}

// cleanupTB defers the cleanups of the shared database to TestMain.
type cleanupTB struct {
	testing.TB
	fns []func()
}

func (c *cleanupTB) Cleanup(f func()) { c.fns = append(c.fns, f) }
func (c *cleanupTB) run() {
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
}

func hashOf(prev []byte, seq int64, content []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seq))
	h.Write(b[:])
	h.Write(content)
	return h.Sum(nil)
}

func TestAppendChains(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := shared(t)
	stream := randomName("abs-")
	var recs []ledger.Record
	for i := 1; i <= 3; i++ {
		e := entry(stream, i)
		if i == 2 {
			e.Reason = nil
			e.Payload = nil
			e.RecordedAt = time.Date(2025, 3, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
		}
		r, err := ledger.Append(ctx, pool, e)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	prev := make([]byte, 32)
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Errorf("entry %d: seq %d", i, r.Seq)
		}
		if !bytes.Equal(r.PrevHash, prev) {
			t.Errorf("seq %d: prev_hash %x, want %x", r.Seq, r.PrevHash, prev)
		}
		if want := hashOf(prev, r.Seq, r.ContentDigest); !bytes.Equal(r.Hash, want) {
			t.Errorf("seq %d: hash %x, want %x", r.Seq, r.Hash, want)
		}
		if d := sha256.Sum256(r.Payload); !bytes.Equal(r.PayloadDigest, d[:]) {
			t.Errorf("seq %d: payload digest wrong", r.Seq)
		}
		prev = r.Hash
	}
	if got := recs[1].RecordedAt; !got.Equal(time.Date(2025, 3, 1, 9, 0, 0, 123456000, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("recorded_at %v, want UTC truncated to microseconds", got)
	}
	if time.Since(recs[0].RecordedAt) > time.Minute {
		t.Errorf("zero RecordedAt became %v, want now", recs[0].RecordedAt)
	}

	stored, err := ledger.Stream(ctx, pool, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 3 {
		t.Fatalf("stream has %d records, want 3", len(stored))
	}
	for i := range stored {
		a, b := recs[i], stored[i]
		if !a.RecordedAt.Equal(b.RecordedAt) || !bytes.Equal(a.Reason, b.Reason) || !bytes.Equal(a.Payload, b.Payload) ||
			!bytes.Equal(a.Hash, b.Hash) || !bytes.Equal(a.ContentDigest, b.ContentDigest) || a.Actor != b.Actor || a.EventID != b.EventID {
			t.Errorf("seq %d: stored %+v\nreturned %+v", a.Seq, b, a)
		}
	}
	if string(stored[0].Reason) != `{"rules": ["SDL §1"],  "n": 1}` {
		t.Errorf("reason not kept byte for byte: %s", stored[0].Reason)
	}
	if stored[1].Reason != nil {
		t.Errorf("nil reason came back as %q", stored[1].Reason)
	}
	last, err := ledger.Stream(ctx, pool, stream, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(last) != 2 || last[0].Seq != 2 || last[1].Seq != 3 {
		t.Errorf("Stream with limit 2 gave %d records", len(last))
	}
	found, err := ledger.Search(ctx, pool, "corr-"+stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 3 {
		t.Errorf("Search found %d records, want 3", len(found))
	}
}

func TestAppendFollowsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := shared(t)
	stream := randomName("abs-")
	errRollback := errors.New("roll back")
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := ledger.Append(ctx, tx, entry(stream, 1)); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	r, err := ledger.Append(ctx, pool, entry(stream, 1))
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 1 {
		t.Errorf("after a rolled back append, seq %d, want 1", r.Seq)
	}
}

func TestAppendBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := shared(t)
	a, b := randomName("b-"), randomName("a-")
	if _, err := ledger.Append(ctx, pool, entry(a, 0)); err != nil {
		t.Fatal(err)
	}
	es := []ledger.Entry{entry(a, 1), entry(b, 1), entry(a, 2), entry(b, 2), entry(a, 3)}
	recs, err := ledger.AppendBatch(ctx, pool, es)
	if err != nil {
		t.Fatal(err)
	}
	wantSeq := []int64{2, 1, 3, 2, 4}
	for i, r := range recs {
		if r.Stream != es[i].Stream || r.EventID != es[i].EventID || r.Seq != wantSeq[i] {
			t.Errorf("record %d: %s seq %d event %s, want %s seq %d event %s", i, r.Stream, r.Seq, r.EventID, es[i].Stream, wantSeq[i], es[i].EventID)
		}
	}
	// A bad entry fails the whole batch before anything is sent.
	_, err = ledger.AppendBatch(ctx, pool, []ledger.Entry{entry(a, 9), {Stream: a}})
	if err == nil {
		t.Fatal("batch with an invalid entry accepted")
	}
	got, err := ledger.Stream(ctx, pool, a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("stream %s has %d entries, want 4", a, len(got))
	}
}

func TestAppendRejectsInvalidEntries(t *testing.T) {
	t.Parallel()
	pool := shared(t)
	s := randomName("abs-")
	for _, tc := range []struct {
		name  string
		entry ledger.Entry
	}{
		{"no stream", ledger.Entry{Actor: "a", EventType: "t"}},
		{"no actor", ledger.Entry{Stream: s, EventType: "t"}},
		{"no event type", ledger.Entry{Stream: s, Actor: "a"}},
		{"reason not JSON", ledger.Entry{Stream: s, Actor: "a", EventType: "t", Reason: []byte("{rules")}},
		{"NUL in actor", ledger.Entry{Stream: s, Actor: "a\x00b", EventType: "t"}},
		{"invalid UTF-8", ledger.Entry{Stream: s, Actor: "a", EventType: "t", Cause: "\xff"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ledger.Append(context.Background(), pool, tc.entry); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestConcurrentAppendsToOneStream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := shared(t)
	stream := randomName("hot-")
	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := ledger.Append(ctx, pool, entry(stream, w*each+i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	recs, err := ledger.Stream(ctx, pool, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != workers*each {
		t.Fatalf("%d entries, want %d", len(recs), workers*each)
	}
	prev := make([]byte, 32)
	for i, r := range recs {
		if r.Seq != int64(i+1) || !bytes.Equal(r.PrevHash, prev) {
			t.Fatalf("entry %d: seq %d, prev_hash links: %v", i, r.Seq, bytes.Equal(r.PrevHash, prev))
		}
		prev = r.Hash
	}
}

func TestChangesAreRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := shared(t)
	stream := randomName("abs-")
	for i := 1; i <= 2; i++ {
		if _, err := ledger.Append(ctx, pool, entry(stream, i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, sql := range []string{
		`UPDATE ledger.entries SET payload = 'x' WHERE stream = $1`,
		`UPDATE ledger.entries SET actor = 'x' WHERE stream = $1 AND false`,
		`DELETE FROM ledger.entries WHERE stream = $1`,
		`TRUNCATE ledger.entries`,
		`DELETE FROM ledger.heads WHERE stream = $1`,
		`TRUNCATE ledger.heads`,
		`UPDATE ledger.heads SET seq = 1 WHERE stream = $1`,
		`UPDATE ledger.heads SET hash = prev_hash WHERE stream = $1`,
		`INSERT INTO ledger.heads (stream, seq, prev_hash, hash) VALUES ($1 || '-x', 5, 'x', 'x')`,
		`UPDATE ledger.checkpoints SET streams = 0 WHERE $1 <> ''`,
		`DELETE FROM ledger.checkpoints WHERE $1 <> ''`,
		`TRUNCATE ledger.checkpoints`,
		`UPDATE ledger.checkpoint_heads SET seq = 0 WHERE stream = $1`,
		`DELETE FROM ledger.checkpoint_heads WHERE stream = $1`,
		`TRUNCATE ledger.checkpoint_heads`,
		`UPDATE ledger.keys SET public_key = 'x' WHERE $1 <> ''`,
		`DELETE FROM ledger.keys WHERE $1 <> ''`,
		`TRUNCATE ledger.keys`,
	} {
		t.Run(sql, func(t *testing.T) {
			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx) //nolint:errcheck
			if strings.Contains(sql, "$1") {
				_, err = tx.Exec(ctx, sql, stream)
			} else {
				_, err = tx.Exec(ctx, sql)
			}
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("not refused by the database: %v", err)
			}
		})
	}
}
