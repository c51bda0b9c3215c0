package blanket

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the pipeline's tables (blanket_cases, blanket_submissions),
// migrated as their own set "blanket" in the function's schema by Register.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

type store struct{}

const caseColumns = `id::text, family, case_key, tenant, person, recipient, status, version, state`

func scanCase(row pgx.Row) (Case, error) {
	var c Case
	err := row.Scan(&c.ID, &c.Family, &c.Key, &c.Tenant, &c.Person, &c.Recipient, &c.Status, &c.Version, &c.State)
	return c, err
}

func (store) load(ctx context.Context, tx *runtime.Tx, id string) (Case, bool, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Case{}, false, nil
	}
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM blanket_cases WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Case{}, false, nil
	}
	if err != nil {
		return Case{}, false, fmt.Errorf("load case: %w", err)
	}
	return c, true, nil
}

func (store) findByKey(ctx context.Context, tx *runtime.Tx, family, key string) (Case, bool, error) {
	if key == "" {
		return Case{}, false, nil
	}
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM blanket_cases
		WHERE family = $1 AND case_key = $2 FOR UPDATE`, family, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return Case{}, false, nil
	}
	if err != nil {
		return Case{}, false, fmt.Errorf("find case by key: %w", err)
	}
	return c, true, nil
}

func (s store) newID(ctx context.Context, tx *runtime.Tx, proposed string) (string, error) {
	if u, err := uuid.Parse(proposed); err == nil {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM blanket_cases WHERE id = $1)`, u).Scan(&taken); err != nil {
			return "", fmt.Errorf("case id: %w", err)
		}
		if !taken {
			return u.String(), nil
		}
	}
	u, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("case id: %w", err)
	}
	return u.String(), nil
}

// save inserts or updates c. A new case whose natural key an open case
// already holds is refused with errDuplicate (the unique index decides, so
// two concurrent reports of the same absence cannot both win).
func (store) save(ctx context.Context, tx *runtime.Tx, c Case, isNew bool) error {
	if isNew {
		_, err := tx.Exec(ctx, `INSERT INTO blanket_cases (id, family, case_key, tenant, person, recipient, status, version, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, c.Family, c.Key, c.Tenant, c.Person, c.Recipient, c.Status, c.Version, c.State)
		if err != nil {
			return fmt.Errorf("insert case: %w", err)
		}
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE blanket_cases SET case_key = $2, person = $3, recipient = $4, status = $5,
		version = $6, state = $7, updated_at = now() WHERE id = $1`,
		c.ID, c.Key, c.Person, c.Recipient, c.Status, c.Version, c.State)
	if err != nil {
		return fmt.Errorf("update case: %w", err)
	}
	return nil
}

func (store) submission(ctx context.Context, tx *runtime.Tx, source, id, blanket, receipt, caseID, outcome string) error {
	var cid any
	if caseID != "" {
		cid = caseID
	}
	_, err := tx.Exec(ctx, `INSERT INTO blanket_submissions (event_source, event_id, blanket, receipt, case_id, outcome)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, source, id, blanket, receipt, cid, outcome)
	if err != nil {
		return fmt.Errorf("record submission: %w", err)
	}
	return nil
}
