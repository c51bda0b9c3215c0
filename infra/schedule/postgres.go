package schedule

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier is what RebuildFromPostgres needs of a pool or transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// RebuildFromPostgres rebuilds s from the reminders table named table
// (schema-qualified, e.g. "reminder.reminders"): every row with status
// 'scheduled' is put on the schedule at its due_at. This is the contract
// between the reminder function's table and the schedule: columns id
// (text-like), due_at (timestamptz) and status. Rows are streamed, never
// loaded all at once.
func RebuildFromPostgres(ctx context.Context, s *Schedule, db Querier, table string) (int, error) {
	rows, err := db.Query(ctx, `SELECT id::text, due_at FROM `+pgx.Identifier(strings.Split(table, ".")).Sanitize()+
		` WHERE status = 'scheduled'`)
	if err != nil {
		return 0, fmt.Errorf("schedule: read %s: %w", table, err)
	}
	defer rows.Close()
	n, err := s.Rebuild(ctx, func(yield func(Entry) error) error {
		var e Entry
		var due time.Time
		for rows.Next() {
			if err := rows.Scan(&e.ID, &due); err != nil {
				return fmt.Errorf("schedule: scan %s: %w", table, err)
			}
			e.Due = due
			if err := yield(e); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return n, err
	}
	return n, nil
}
