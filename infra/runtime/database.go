package runtime

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/pg"
)

// openDatabase runs the ledger, runtime and function migrations as the
// owner role (Base.MigrationDatabaseURL, or DatabaseURL when that is
// empty), grants DatabaseURL's role what the function needs (its own
// schema's tables; the ledger only to read and append), and returns a pool
// connected as DatabaseURL's role.
func openDatabase(ctx context.Context, o Options) (*pgxpool.Pool, error) {
	if err := migrateAs(ctx, ConfigURLs{o.Base.DatabaseURL, o.Base.MigrationDatabaseURL}, o.Name, func(owner *pgxpool.Pool) error {
		if err := ledger.Migrate(ctx, owner); err != nil {
			return err
		}
		if err := pg.MigrateRuntime(ctx, owner, o.Name); err != nil {
			return err
		}
		if o.Migrations != nil {
			return pg.Migrate(ctx, owner, o.Name, "function", o.Migrations)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return pg.Connect(ctx, o.Base.DatabaseURL, o.Name)
}

// migrateAs runs fn with a pool connected as the owner role and then, when
// the application role differs, grants it the function's schema and the
// ledger.
func migrateAs(ctx context.Context, base ConfigURLs, schema string, fn func(owner *pgxpool.Pool) error) error {
	ownerURL := base.MigrationDatabaseURL
	if ownerURL == "" {
		ownerURL = base.DatabaseURL
	}
	owner, err := pg.Open(ctx, ownerURL, schema)
	if err != nil {
		return err
	}
	defer owner.Close()
	if err := fn(owner); err != nil {
		return err
	}
	if ownerURL == base.DatabaseURL {
		return nil
	}
	app, err := pgxpool.ParseConfig(base.DatabaseURL)
	if err != nil {
		return fmt.Errorf("pg: parse database url: %w", err)
	}
	role := app.ConnConfig.User
	if role == pg.UserOf(owner) {
		return nil
	}
	if !pg.ValidRole(role) {
		return fmt.Errorf("runtime: application role %q is not a plain role name", role)
	}
	if err := ledger.GrantApp(ctx, owner, role); err != nil {
		return err
	}
	return pg.GrantApp(ctx, owner, schema, role)
}

// ConfigURLs is the part of config.Base migrations need.
type ConfigURLs = struct{ DatabaseURL, MigrationDatabaseURL string }

// Migrate applies a further set of goose migrations (files at the root of
// fsys) to the function's schema as the owner role, and grants the
// application role the tables they create, as New does for the function's
// own migrations. Shared packages with tables of their own call it from
// their setup (the blanket pipeline does).
func (s *Service) Migrate(ctx context.Context, set string, fsys fs.FS) error {
	err := migrateAs(ctx, ConfigURLs{s.Cfg.DatabaseURL, s.Cfg.MigrationDatabaseURL}, s.Name, func(owner *pgxpool.Pool) error {
		return pg.Migrate(ctx, owner, s.Name, set, fsys)
	})
	if err != nil {
		return fmt.Errorf("runtime %s: %w", s.Name, err)
	}
	return nil
}
