package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/pg"
)

// GrantApp lets role (a function's application role) read the ledger and
// append to it, and nothing more: SELECT and INSERT on entries,
// checkpoints and checkpoint_heads, UPDATE only on the two head tables
// (whose triggers let a head move forward one link at a time), SELECT on
// keys. No UPDATE, DELETE or TRUNCATE on what is recorded, no ownership, so
// the role can neither disable the append-only triggers nor set
// session_replication_role. Call it with the owner's pool after Migrate;
// it is idempotent.
func GrantApp(ctx context.Context, owner *pgxpool.Pool, role string) error {
	if !pg.ValidRole(role) {
		return fmt.Errorf("ledger: invalid role name %q", role)
	}
	err := pg.Grant(ctx, owner, []string{
		`GRANT USAGE ON SCHEMA ledger TO ` + role,
		`REVOKE ALL ON ALL TABLES IN SCHEMA ledger FROM ` + role,
		`GRANT SELECT, INSERT ON ledger.entries, ledger.checkpoints, ledger.checkpoint_heads TO ` + role,
		`GRANT SELECT, INSERT, UPDATE ON ledger.heads, ledger.signed_heads TO ` + role,
		`GRANT SELECT ON ledger.keys, ledger.goose_ledger TO ` + role,
		`GRANT USAGE ON SEQUENCE ledger.checkpoints_id_seq TO ` + role,
	})
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
