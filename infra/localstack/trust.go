package localstack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/pg"
)

// trustEnv prepares what the functions' trust rests on and returns the
// environment that tells them (added after Config.Env, so it wins):
//
//   - the ledger's checkpoint signing key under DataDir/keys (made once,
//     never committed: .data/ is ignored) and its public key next to it,
//     the trusted-keys file the audit function and nrctl ledger verify read;
//   - the database roles: with the superuser URL the stack was given
//     (DATABASE_URL in Config.Env or the environment), it creates
//     nemrefusion_owner and nemrefusion_app (pg.EnsureRoles) and hands the
//     functions the application role as DATABASE_URL and the owner as
//     MIGRATION_DATABASE_URL. When MIGRATION_DATABASE_URL is set already,
//     the operator chose the roles and the URLs are passed on as given.
func trustEnv(ctx context.Context, cfg Config) ([]string, error) {
	keys := filepath.Join(cfg.DataDir, "keys")
	if err := os.MkdirAll(keys, 0o700); err != nil {
		return nil, fmt.Errorf("localstack: %w", err)
	}
	pub := filepath.Join(keys, "ledger-ed25519.pub")
	if _, err := ledger.EnsureKeyPair(filepath.Join(keys, "ledger-ed25519.key"), pub); err != nil {
		return nil, fmt.Errorf("localstack: ledger key: %w", err)
	}
	env := []string{"LEDGER_TRUSTED_KEYS_FILE=" + pub}
	lookup := func(k string) string {
		v := os.Getenv(k)
		for _, kv := range cfg.Env {
			if val, ok := strings.CutPrefix(kv, k+"="); ok {
				v = val
			}
		}
		return v
	}
	if lookup("MIGRATION_DATABASE_URL") != "" {
		return env, nil
	}
	admin := lookup("DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	roles, err := pg.EnsureRoles(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("localstack: database roles (DATABASE_URL must be a superuser's, or set MIGRATION_DATABASE_URL and DATABASE_URL to the owner and application roles): %w", err)
	}
	return append(env, "DATABASE_URL="+roles.AppURL, "MIGRATION_DATABASE_URL="+roles.OwnerURL), nil
}
