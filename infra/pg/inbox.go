package pg

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var runtimeMigrations embed.FS

// MigrateRuntime creates the inbox and outbox tables every function has in its
// own schema (migration set "runtime").
func MigrateRuntime(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	sub, err := fs.Sub(runtimeMigrations, "migrations")
	if err != nil {
		return fmt.Errorf("pg: runtime migrations: %w", err)
	}
	return Migrate(ctx, pool, schema, "runtime", sub)
}

// DBTX is what pgx.Tx, *pgx.Conn and *pgxpool.Pool have in common.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// FirstDelivery records the event (source, id) in the inbox and reports
// whether this is the first time it is seen. Call it inside the transaction
// that carries the event's effect: if the transaction rolls back, the event
// counts as unseen again. A concurrent duplicate blocks on the primary key
// until the first transaction ends and then reports false.
func FirstDelivery(ctx context.Context, tx DBTX, source, id, eventType string) (bool, error) {
	tag, err := tx.Exec(ctx,
		`INSERT INTO inbox (source, id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		source, id, eventType)
	if err != nil {
		return false, fmt.Errorf("inbox %s: %w", eventType, err)
	}
	return tag.RowsAffected() == 1, nil
}
