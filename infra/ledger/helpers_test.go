package ledger_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
)

func databaseURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// newDB creates a fresh database with the ledger schema, for tests that
// tamper with the ledger or need it to themselves, and drops it afterwards.
func newDB(tb testing.TB, maxConns int32) *pgxpool.Pool {
	tb.Helper()
	pool, _ := newDBURL(tb, maxConns)
	return pool
}

// newDBURL is newDB that also returns the database's (superuser) URL.
func newDBURL(tb testing.TB, maxConns int32) (*pgxpool.Pool, string) {
	tb.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, databaseURL())
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	name := randomName("ledger_test_")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		tb.Fatalf("create database: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL())
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		pool.Close()
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
		admin.Close(context.Background())
	})
	if err := ledger.Migrate(ctx, pool); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	u, err := url.Parse(databaseURL())
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return pool, u.String()
}

// tamper runs sql behind the database's back: with session_replication_role
// = replica, which skips the append-only triggers.
func tamper(tb testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	tb.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, sql, args...)
		return err
	})
	if err != nil {
		tb.Fatalf("tamper %q: %v", sql, err)
	}
}

func entry(stream string, i int) ledger.Entry {
	return ledger.Entry{
		Stream:      stream,
		Actor:       "caseworker-42",
		Role:        "caseworker",
		OnBehalfOf:  "municipality-101",
		EventType:   "dk.nemrefusion.sickness.reported.v1",
		EventSource: "/nemrefusion/sickness",
		EventID:     fmt.Sprintf("%s-%d", stream, i),
		Cause:       "cause-1",
		Correlation: "corr-" + stream,
		Reason:      []byte(fmt.Sprintf(`{"rules": ["SDL §%d"],  "n": %d}`, i, i)),
		Payload:     []byte(fmt.Sprintf(`{"i":%d}`, i)),
	}
}
