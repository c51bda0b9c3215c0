package blanket

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
)

// Pending reports whether intake accepted a blanket submission into the
// stream id (a case's UUID) that this function has not decided yet: its
// ledger entry, which intake appends in the same transaction as it
// accepts, is there, but no blanket_submissions row. A follow-up naming a
// case that does not exist yet but is Pending arrived before the report
// that opens it (the broker orders events per Trigger, not across types,
// and a report retried after a fault comes late), so it must be retried,
// not rejected. The current submission itself does not count.
func (e *Env) Pending(ctx context.Context, id string) (bool, error) {
	if _, err := uuid.Parse(id); err != nil {
		return false, nil
	}
	rows, err := e.Tx.Query(ctx, `SELECT l.event_type FROM ledger.entries l WHERE l.stream = $1
		AND NOT (l.event_source = $2 AND l.event_id = $3)
		AND NOT EXISTS (SELECT 1 FROM blanket_submissions s WHERE s.event_source = l.event_source AND s.event_id = l.event_id)`,
		id, e.Event.Source(), e.Event.ID())
	if err != nil {
		return false, fmt.Errorf("pending submissions of %s: %w", id, err)
	}
	defer rows.Close()
	pending := false
	for rows.Next() {
		var typ string
		if err := rows.Scan(&typ); err != nil {
			return false, fmt.Errorf("pending submissions of %s: %w", id, err)
		}
		if events.BlanketSenders(typ) != nil {
			pending = true
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("pending submissions of %s: %w", id, err)
	}
	return pending, nil
}
