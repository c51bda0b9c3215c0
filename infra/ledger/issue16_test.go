package ledger_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/pg"
)

// The tamperings issue 16 found verify missing, on a copy: a tail newer
// than the last checkpoint rewritten (hashes recomputed) or truncated, and
// a rewrite re-signed with the attacker's own key. The first two are found
// once the running system has signed the tail (KeepSigned, as the audit
// function runs it); the third because verify trusts configured keys only.

// keepSigned runs ledger.KeepSigned as the audit function does (with a
// short interval) until the test ends, and waits until stream's head at
// seq is signed.
func keepSigned(t *testing.T, pool *pgxpool.Pool, s ledger.Signer, stream string, seq int64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ledger.KeepSigned(ctx, pool, s, 20*time.Millisecond, nil) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _, _, ok, err := ledger.SignedHead(ctx, pool, stream)
		if err != nil {
			t.Fatal(err)
		}
		if ok && got >= seq {
			cancel()
			<-done
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("head %s@%d not signed within 10 s", stream, seq)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIssue16TailRewrittenAfterTheLastCheckpointIsFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 4)
	s := newSigner(t)
	fill(t, pool, []string{"a", "b", "c"}, 1, 5)
	if _, err := ledger.Checkpoint(ctx, pool, s); err != nil {
		t.Fatal(err)
	}
	fill(t, pool, []string{"b"}, 6, 8)
	keepSigned(t, pool, s, "b", 8)
	// The forger rewrites seq 7 and 8 and recomputes every hash and the head.
	tamper(t, pool, `UPDATE ledger.entries SET payload = '{"i":"forged"}' WHERE stream = 'b' AND seq = 7`)
	rehash(t, pool, "b")
	r := verify(t, pool, s.PublicKey())
	p, ok := r.First()
	if !ok || p.Stream != "b" || p.Seq != 8 || !strings.Contains(p.What, "differs from the entry signed by checkpoint 2") {
		t.Fatalf("rewritten tail: first problem %v (%s); want b seq 8 differs from checkpoint 2", p, r)
	}
}

func TestIssue16TailTruncatedAfterTheLastCheckpointIsFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 4)
	s := newSigner(t)
	fill(t, pool, []string{"a", "b", "c"}, 1, 5)
	if _, err := ledger.Checkpoint(ctx, pool, s); err != nil {
		t.Fatal(err)
	}
	fill(t, pool, []string{"b"}, 6, 8)
	keepSigned(t, pool, s, "b", 8)
	tamper(t, pool, `DELETE FROM ledger.entries WHERE stream = 'b' AND seq > 6`)
	tamper(t, pool, `UPDATE ledger.heads h SET seq = 6, prev_hash = e.prev_hash, hash = e.hash FROM ledger.entries e WHERE h.stream = 'b' AND e.stream = 'b' AND e.seq = 6`)
	r := verify(t, pool, s.PublicKey())
	p, ok := r.First()
	if !ok || p.Stream != "b" || p.Seq != 8 || !strings.Contains(p.What, "signed by checkpoint 2 but not in the ledger") {
		t.Fatalf("truncated tail: first problem %v (%s)", p, r)
	}
	// And the next checkpoint refuses to sign the shortened stream.
	if _, err := ledger.Checkpoint(ctx, pool, s); err == nil || !strings.Contains(err.Error(), "behind its signed head") {
		t.Errorf("checkpoint over a truncated stream: %v", err)
	}
}

func TestIssue16VerifyCountsTheUnsignedTail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 4)
	s := newSigner(t)
	fill(t, pool, []string{"a", "b"}, 1, 2)
	if _, err := ledger.Checkpoint(ctx, pool, s); err != nil {
		t.Fatal(err)
	}
	fill(t, pool, []string{"b", "c"}, 3, 4)
	r := verify(t, pool, s.PublicKey())
	if !r.OK() || r.Unsigned != 4 || r.UnsignedStreams != 2 || !strings.Contains(r.String(), "4 entries in 2 streams are newer than the last checkpoint") {
		t.Errorf("unsigned tail: %s (%d in %d)", r, r.Unsigned, r.UnsignedStreams)
	}
}

func TestIssue16RewriteReSignedWithAnAttackersKeyIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 4)
	s, attacker := newSigner(t), newSigner(t)
	fill(t, pool, []string{"a", "b", "c"}, 1, 5)
	if _, err := ledger.Checkpoint(ctx, pool, s); err != nil {
		t.Fatal(err)
	}
	// The attacker rewrites b, removes every checkpoint and signs anew
	// with a key of their own (which the old checkpoint registered in
	// ledger.keys, and verify then trusted).
	tamper(t, pool, `UPDATE ledger.entries SET payload = '{"i":"forged"}' WHERE stream = 'b' AND seq = 2`)
	rehash(t, pool, "b")
	tamper(t, pool, `DELETE FROM ledger.checkpoint_heads`)
	tamper(t, pool, `DELETE FROM ledger.signed_heads`)
	tamper(t, pool, `DELETE FROM ledger.checkpoints`)
	if _, err := ledger.Checkpoint(ctx, pool, attacker); err != nil {
		t.Fatal(err)
	}
	var keys int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ledger.keys`).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if keys != 0 {
		t.Errorf("checkpoint registered %d keys in the database", keys)
	}
	r := verify(t, pool, s.PublicKey())
	if p, ok := r.First(); !ok || !strings.Contains(p.What, "which is not trusted") {
		t.Errorf("re-signed by the attacker, verify with the real key: %v (%s)", p, r)
	}
	// With no key configured, verify trusts nothing and says so.
	r = verify(t, pool)
	if p, ok := r.First(); !ok || p.What != ledger.ErrNoTrustedKeys.Error() {
		t.Errorf("verify without a trusted key: %v (%s)", p, r)
	}
}

func TestIssue16AppRoleCannotSilenceOrChangeTheLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, adminURL := newDBURL(t, 2)
	roles, err := pg.EnsureRoles(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := pgxpool.New(ctx, roles.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if err := ledger.Migrate(ctx, owner); err != nil {
		t.Fatalf("migrate as the owner after adopting: %v", err)
	}
	if err := ledger.GrantApp(ctx, owner, pg.AppRole); err != nil {
		t.Fatal(err)
	}
	app, err := pgxpool.New(ctx, roles.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	// The application role appends and checkpoints as functions do.
	fill(t, app, []string{"a", "b"}, 1, 3)
	s := newSigner(t)
	if _, err := ledger.Checkpoint(ctx, app, s); err != nil {
		t.Fatalf("checkpoint as the app role: %v", err)
	}
	for _, sql := range []string{
		`SET session_replication_role = replica`,
		`SET LOCAL session_replication_role = replica`,
		`UPDATE ledger.entries SET actor = 'x' WHERE stream = 'a'`,
		`DELETE FROM ledger.entries WHERE stream = 'a'`,
		`TRUNCATE ledger.entries`,
		`ALTER TABLE ledger.entries DISABLE TRIGGER entries_append_only`,
		`UPDATE ledger.checkpoints SET merkle_root = sha256(merkle_root)`,
		`DELETE FROM ledger.checkpoint_heads`,
		`TRUNCATE ledger.checkpoints`,
		`DELETE FROM ledger.heads`,
		`DELETE FROM ledger.signed_heads`,
		`INSERT INTO ledger.keys (key_id, public_key) VALUES ('k', 'x')`,
		`DROP TABLE ledger.entries`,
		`CREATE SCHEMA evil`,
	} {
		err := pgx.BeginFunc(ctx, app, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, sql); return err })
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "42501" && pgErr.Code != "42P01") {
			t.Errorf("as the app role %q: %v, want permission denied (42501)", sql, err)
		}
	}
	if r := verify(t, app, s.PublicKey()); !r.OK() || r.Entries != 6 {
		t.Errorf("after the refused attempts: %s", r)
	}
}

func TestIssue16InclusionProof(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newDB(t, 4)
	s := newSigner(t)
	streams := []string{"a", "b", "c", "d", "e"}
	fill(t, pool, streams, 1, 3)
	if _, err := ledger.Checkpoint(ctx, pool, s); err != nil {
		t.Fatal(err)
	}
	fill(t, pool, []string{"c"}, 4, 4)
	if _, err := ledger.ProveEntry(ctx, pool, "c", 4); !errors.Is(err, ledger.ErrNotSignedYet) {
		t.Errorf("proof of an unsigned entry: %v", err)
	}
	if _, err := ledger.ProveEntry(ctx, pool, "c", 9); !errors.Is(err, ledger.ErrNoEntry) {
		t.Errorf("proof of a missing entry: %v", err)
	}
	if _, err := ledger.Checkpoint(ctx, pool, s); err != nil {
		t.Fatal(err)
	}
	trusted := []ed25519.PublicKey{s.PublicKey()}
	for _, st := range streams {
		for seq := int64(1); seq <= 3; seq++ {
			p, err := ledger.ProveEntry(ctx, pool, st, seq)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Verify(trusted); err != nil {
				t.Errorf("proof of %s@%d: %v", st, seq, err)
			}
			recs, err := ledger.Stream(ctx, pool, st, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p.EntryHash(), recs[seq-1].Hash) {
				t.Errorf("proof of %s@%d names another entry", st, seq)
			}
		}
	}
	p, err := ledger.ProveEntry(ctx, pool, "c", 4)
	if err != nil || p.Checkpoint.ID != 2 || p.TreeSize != 1 {
		t.Fatalf("proof of c@4: %+v %v", p, err)
	}
	if err := p.Verify(trusted); err != nil {
		t.Error(err)
	}
	good, err := ledger.ProveEntry(ctx, pool, "b", 2)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte) []byte { c := bytes.Clone(b); c[0] ^= 1; return c }
	for name, mut := range map[string]func(p *ledger.Proof){
		"entry content changed": func(p *ledger.Proof) { p.ContentDigest = flip(p.ContentDigest) },
		"entry link changed":    func(p *ledger.Proof) { p.PrevHash = flip(p.PrevHash) },
		"chain link changed":    func(p *ledger.Proof) { p.Chain[0] = flip(p.Chain[0]) },
		"chain shortened":       func(p *ledger.Proof) { p.Chain = p.Chain[1:] },
		"other stream":          func(p *ledger.Proof) { p.Stream = "a" },
		"audit path changed":    func(p *ledger.Proof) { p.AuditPath[1] = flip(p.AuditPath[1]) },
		"leaf index changed":    func(p *ledger.Proof) { p.LeafIndex = 2 },
		"root changed":          func(p *ledger.Proof) { p.Checkpoint.MerkleRoot = flip(p.Checkpoint.MerkleRoot) },
	} {
		p := good
		p.Chain = append([][]byte(nil), good.Chain...)
		p.AuditPath = append([][]byte(nil), good.AuditPath...)
		mut(&p)
		if err := p.Verify(trusted); err == nil {
			t.Errorf("%s: tampered proof verifies", name)
		}
	}
	if err := good.Verify([]ed25519.PublicKey{newSigner(t).PublicKey()}); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("proof against another key: %v", err)
	}
	if err := good.Verify(nil); !errors.Is(err, ledger.ErrNoTrustedKeys) {
		t.Errorf("proof without a key: %v", err)
	}
}
