// Package pg opens PostgreSQL pools and runs embedded migrations. Every
// function owns one Postgres schema (named after the function) for its state,
// its inbox and its outbox; the ledger lives in the shared schema "ledger".
package pg

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

var schemaName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Open connects to url with search_path set to schema (created if missing),
// so that unqualified table names are the function's own. It pings before
// returning. The caller closes the pool. The role of url needs CREATE on
// the database unless the schema exists; functions connect with Connect.
func Open(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	pool, err := Connect(ctx, url, schema)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		// Concurrent CREATE SCHEMA IF NOT EXISTS can race on the catalog's
		// unique index; the schema then exists, which is all we need.
		var n int
		if qerr := pool.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname=$1", schema).Scan(&n); qerr != nil || n == 0 {
			pool.Close()
			return nil, fmt.Errorf("pg: create schema %s: %w", schema, err)
		}
	}
	return pool, nil
}

// Connect is Open without creating the schema: what a function's
// application role, which may create nothing, uses.
func Connect(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	if !schemaName.MatchString(schema) {
		return nil, fmt.Errorf("pg: invalid schema name %q", schema)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pg: parse database url: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	cfg.ConnConfig.RuntimeParams["application_name"] = "nemrefusion-" + schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pg: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pg: ping: %w", err)
	}
	return pool, nil
}

// Migrate applies the goose-format SQL migrations in fsys (files at its root,
// "-- +goose Up" annotated) to schema, recording versions in
// schema.goose_<set>, so several independent sets (the runtime's inbox and
// outbox, the function's own tables) live side by side in one schema. It
// takes a Postgres session lock, so any number of replicas may call it at
// start at the same time; each migration runs once. Unqualified names in the
// SQL land in the pool's search_path (see Open).
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema, set string, fsys fs.FS) error {
	if !schemaName.MatchString(set) {
		return fmt.Errorf("pg: invalid migration set name %q", set)
	}
	if !schemaName.MatchString(schema) {
		return fmt.Errorf("pg: invalid schema name %q", schema)
	}
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		var n int
		if qerr := pool.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname=$1", schema).Scan(&n); qerr != nil || n == 0 {
			return fmt.Errorf("pg: create schema %s: %w", schema, err)
		}
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID(schema + "." + set)))
	if err != nil {
		return fmt.Errorf("pg: migration lock: %w", err)
	}
	store, err := database.NewStore(goose.DialectPostgres, schema+".goose_"+set)
	if err != nil {
		return fmt.Errorf("pg: migration store: %w", err)
	}
	p, err := goose.NewProvider("", db, fsys, goose.WithStore(store), goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("pg: migrations of %s: %w", schema, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("pg: migrate %s: %w", schema, err)
	}
	return nil
}

// lockID derives a stable advisory lock id per schema (FNV-1a).
func lockID(schema string) int64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(schema); i++ {
		h ^= uint64(schema[i])
		h *= 1099511628211
	}
	return int64(h >> 1)
}
