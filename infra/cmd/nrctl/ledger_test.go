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
	vars := map[string]string{"DATABASE_URL": url, "LEDGER_KEY_FILE": filepath.Join(t.TempDir(), "keys", "ledger.key")}
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
		m := map[string]string{"LEDGER_TRUSTED_KEYS": keys}
		for k, v := range vars {
			m[k] = v
		}
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
		{[]string{"ledger", "verify"}, map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, 3},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			if r := nrctl(t, tc.vars, tc.args...); r.code != tc.code {
				t.Errorf("exit %d, want %d: %+v", r.code, tc.code, r)
			}
		})
	}
}
