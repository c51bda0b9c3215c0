package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
)

func baseURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return defaultDatabaseURL
}

// newLedgerDB creates a database of its own (the test tampers with it),
// migrated, and returns its URL and a pool; both go away after the test.
func newLedgerDB(t *testing.T) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, baseURL())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "nrctl_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(baseURL())
	if err != nil {
		t.Fatal(err)
	}
	url := strings.Replace(baseURL(), "/"+cfg.Database, "/"+name, 1)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		admin.Close(context.Background())
	})
	if err := ledger.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return url, pool
}

type result struct {
	code           int
	stdout, stderr string
}

func nrctl(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }})
	return result{code, out.String(), errb.String()}
}

func TestLedgerCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, pool := newLedgerDB(t)
	keys := filepath.Join(t.TempDir(), "keys")
	if err := os.MkdirAll(keys, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.EnsureKeyPair(filepath.Join(keys, "ledger.key"), filepath.Join(keys, "ledger.pub")); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DATABASE_URL": url, "LEDGER_KEY_FILE": filepath.Join(keys, "ledger.key"), "LEDGER_TRUSTED_KEYS_FILE": filepath.Join(keys, "ledger.pub")}
	for i := 1; i <= 3; i++ {
		for _, s := range []string{"absence-a", "absence-b"} {
			_, err := ledger.Append(ctx, pool, ledger.Entry{Stream: s, Actor: "employer-1", Role: "employer",
				EventType: "dk.nemrefusion.sickness.reported.v1", Payload: []byte(fmt.Sprintf(`{"day":%d}`, i))})
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	if r := nrctl(t, vars, "ledger", "checkpoint"); r.code != 0 || !strings.HasPrefix(r.stdout, "checkpoint 1 made") {
		t.Fatalf("checkpoint: %+v", r)
	}
	if r := nrctl(t, vars, "ledger", "verify"); r.code != 0 || !strings.HasPrefix(r.stdout, "ledger intact: 6 entries in 2 streams, 1 checkpoints") {
		t.Fatalf("verify intact: %+v", r)
	}
	r := nrctl(t, vars, "ledger", "show", "absence-b")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 4 || !strings.Contains(r.stdout, "sickness.reported") || strings.Contains(r.stdout, "day") {
		t.Errorf("show: %+v", r)
	}
	r = nrctl(t, vars, "ledger", "show", "absence-b", "--payload", "--limit", "1")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stdout, `{"day":3}`) {
		t.Errorf("show --payload --limit 1: %+v", r)
	}
	if r := nrctl(t, vars, "ledger", "show", "no-such-stream"); r.code != 1 {
		t.Errorf("show of an unknown stream: %+v", r)
	}

	// Trusted keys: the signer's own key passes, another key fails.
	pub := nrctl(t, vars, "ledger", "pubkey")
	fields := strings.Fields(pub.stdout)
	if pub.code != 0 || len(fields) != 2 {
		t.Fatalf("pubkey: %+v", pub)
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	withTrust := func(keys string) map[string]string {
		m := map[string]string{}
		for k, v := range vars {
			m[k] = v
		}
		delete(m, "LEDGER_TRUSTED_KEYS_FILE")
		m["LEDGER_TRUSTED_KEYS"] = keys
		return m
	}
	if r := nrctl(t, withTrust(fields[1]), "ledger", "verify"); r.code != 0 {
		t.Errorf("verify with the signer trusted: %+v", r)
	}
	if r := nrctl(t, withTrust(base64.StdEncoding.EncodeToString(other)), "ledger", "verify"); r.code != 1 || !strings.Contains(r.stdout, "not trusted") {
		t.Errorf("verify with another key trusted: %+v", r)
	}
	if r := nrctl(t, withTrust("not-a-key"), "ledger", "verify"); r.code != 2 {
		t.Errorf("verify with a malformed trusted key: %+v", r)
	}

	// Behind the database's back: change one payload.
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE ledger.entries SET payload = '{"day":9}' WHERE stream = 'absence-b' AND seq = 2`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r = nrctl(t, vars, "ledger", "verify")
	if r.code != 1 || !strings.HasPrefix(r.stdout, `ledger BROKEN: stream "absence-b" seq 2: payload does not match its digest`) {
		t.Errorf("verify after tampering: %+v", r)
	}
}

func TestUsageAndFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		vars map[string]string
		code int
	}{
		{nil, nil, 2},
		{[]string{"help"}, nil, 0},
		{[]string{"no-such-command"}, nil, 2},
		{[]string{"ledger"}, nil, 2},
		{[]string{"ledger", "frobnicate"}, nil, 2},
		{[]string{"ledger", "show"}, nil, 2},
		{[]string{"ledger", "verify", "extra"}, nil, 2},
		{[]string{"ledger", "verify"}, map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
			"LEDGER_TRUSTED_KEYS": base64.StdEncoding.EncodeToString(make([]byte, ed25519.PublicKeySize))}, 3},
		{[]string{"ledger", "verify"}, map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, 2},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			if r := nrctl(t, tc.vars, tc.args...); r.code != tc.code {
				t.Errorf("exit %d, want %d: %+v", r.code, tc.code, r)
			}
		})
	}
}

// TestLedgerVerifyTrustsOnlyConfiguredKeys is issue 16's re-signed rewrite:
// an attacker with the database rewrites a stream, removes the checkpoints
// and runs nrctl ledger checkpoint with a key of their own. It used to
// register that key in the database, and verify trusted every key there.
func TestLedgerVerifyTrustsOnlyConfiguredKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, pool := newLedgerDB(t)
	dir := t.TempDir()
	real, attacker := filepath.Join(dir, "real.key"), filepath.Join(dir, "attacker.key")
	if _, err := ledger.EnsureKeyPair(real, real+".pub"); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.EnsureKeyPair(attacker, attacker+".pub"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := ledger.Append(ctx, pool, ledger.Entry{Stream: "absence-a", Actor: "employer-1", Role: "employer",
			EventType: "dk.nemrefusion.sickness.reported.v1", Payload: []byte(fmt.Sprintf(`{"day":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	vars := map[string]string{"DATABASE_URL": url, "LEDGER_KEY_FILE": real}
	if r := nrctl(t, vars, "ledger", "checkpoint"); r.code != 0 {
		t.Fatalf("checkpoint: %+v", r)
	}
	if r := nrctl(t, map[string]string{"LEDGER_KEY_FILE": filepath.Join(dir, "none.key"), "DATABASE_URL": url}, "ledger", "checkpoint"); r.code == 0 {
		t.Errorf("checkpoint without a signing key made one: %+v", r)
	}
	if r := nrctl(t, nil, "ledger", "verify", "--database", url, "--key", real+".pub"); r.code != 0 || !strings.Contains(r.stdout, "trusted keys: ed25519:") {
		t.Fatalf("verify --database --key before: %+v", r)
	}
	// The attack, behind the database's back.
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE ledger.entries SET payload = '{"day":9}', payload_digest = sha256('{"day":9}') WHERE stream = 'absence-a' AND seq = 3`,
			`DELETE FROM ledger.checkpoint_heads`, `DELETE FROM ledger.signed_heads`, `DELETE FROM ledger.checkpoints`, `DELETE FROM ledger.heads`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild stream a's chain the way the ledger computes it.
	recs, err := ledger.Stream(ctx, pool, "absence-a", 0)
	if err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ledger.entries`); err != nil {
			return err
		}
		for _, r := range recs {
			if _, err := ledger.Append(ctx, tx, r.Entry); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := nrctl(t, map[string]string{"DATABASE_URL": url, "LEDGER_KEY_FILE": attacker}, "ledger", "checkpoint"); r.code != 0 {
		t.Fatalf("attacker's checkpoint: %+v", r)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ledger.keys`).Scan(&n); err != nil || n != 0 {
		t.Errorf("keys registered in the database: %d %v", n, err)
	}
	// No key configured: verify refuses instead of trusting the database.
	if r := nrctl(t, map[string]string{"DATABASE_URL": url}, "ledger", "verify"); r.code != 2 || !strings.Contains(r.stderr, "no trusted checkpoint key configured") {
		t.Errorf("verify without a trusted key: %+v", r)
	}
	if r := nrctl(t, map[string]string{"DATABASE_URL": url}, "ledger", "verify", "--key", real+".pub"); r.code != 1 || !strings.Contains(r.stdout, "which is not trusted") {
		t.Errorf("verify with the real key: %+v", r)
	}
}
