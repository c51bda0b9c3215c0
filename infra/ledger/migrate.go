package ledger

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/pg"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the ledger schema. Any number of replicas may
// call it at start at the same time.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("ledger: migrations: %w", err)
	}
	if err := pg.Migrate(ctx, pool, "ledger", "ledger", sub); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
