package blanket

import (
	"context"
	"fmt"

	"nemrefusion.dk/events"
)

// Pending reports whether the submission that opened stream id (a case's
// UUID) was accepted but not yet decided by this function. The accept step
// says which submission opened the stream the current one was sent to
// (events.ExtOpener); a follow-up naming a case that does not exist yet
// but whose opener is not decided arrived before the report that opens it
// (the broker orders events per Trigger, not across types, and a report
// retried after a fault comes late), so it must be retried, not rejected.
func (e *Env) Pending(ctx context.Context, id string) (bool, error) {
	opener := events.Str(e.Event, events.ExtOpener)
	if opener == "" || id != events.PartitionKey(e.Event) || opener == e.Event.ID() {
		return false, nil
	}
	var decided bool
	if err := e.Tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM blanket_submissions WHERE event_id = $1)`, opener).Scan(&decided); err != nil {
		return false, fmt.Errorf("opener of %s: %w", id, err)
	}
	return !decided, nil
}
