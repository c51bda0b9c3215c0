package runtime_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// TestFunctionsConnectAsARoleThatCannotSilenceTheLedger is issue 16's
// finding: every function connected as the PostgreSQL superuser, so
// SET LOCAL session_replication_role = replica switched off the ledger's
// append-only triggers. A function's pool is now the application role:
// it appends and reads, its own tables work, and everything else is refused.
func TestFunctionsConnectAsARoleThatCannotSilenceTheLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := runtimetest.Start(t, runtimetest.Options{Name: "rt_role", Logger: runtime.NewLogger(io.Discard, -4, "rt_role")})
	db := k.Svc.DB
	stream := "rt-role-" + k.Svc.Name
	if _, err := ledger.Append(ctx, db, ledger.Entry{Stream: stream, Actor: "test", EventType: "dk.nemrefusion.test.v1"}); err != nil {
		t.Fatalf("append as the function: %v", err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO inbox (source, id, type) VALUES ('s', 'i', 't')`); err != nil {
		t.Fatalf("own table as the function: %v", err)
	}
	if _, err := db.Exec(ctx, `DELETE FROM inbox WHERE source = 's'`); err != nil {
		t.Fatalf("own table as the function: %v", err)
	}
	var super bool
	if err := db.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil || super {
		t.Errorf("the function connects as a superuser (%v)", err)
	}
	for _, sql := range []string{
		`SET LOCAL session_replication_role = replica`,
		`SET session_replication_role = replica`,
		`UPDATE ledger.entries SET actor = 'forger' WHERE stream = '` + stream + `'`,
		`DELETE FROM ledger.entries WHERE stream = '` + stream + `'`,
		`TRUNCATE ledger.entries`,
		`TRUNCATE ledger.checkpoints`,
		`DELETE FROM ledger.heads WHERE stream = '` + stream + `'`,
		`ALTER TABLE ledger.entries DISABLE TRIGGER ALL`,
		`DROP TRIGGER entries_append_only ON ledger.entries`,
		`CREATE SCHEMA forged`,
		`DELETE FROM goose_runtime`,
	} {
		// Each attempt runs in a transaction that is rolled back, so a
		// regression cannot harm the shared test database's ledger.
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, sql)
		_ = tx.Rollback(ctx)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("as the function %q: %v, want permission denied (42501)", sql, err)
		}
	}
	recs, err := ledger.Stream(ctx, db, stream, 0)
	if err != nil || len(recs) != 1 || recs[0].Actor != "test" {
		t.Errorf("stream after the refused attempts: %v %v", recs, err)
	}
}
