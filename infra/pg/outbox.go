package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
)

// Enqueue writes ev to the outbox inside tx. It is published only after tx
// commits (by Outbox.Send or the relay tick): nothing is published that was
// not committed, and nothing committed is lost.
func Enqueue(ctx context.Context, tx DBTX, ev cloudevents.Event) error {
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("outbox: invalid event %s: %w", ev.Type(), err)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("outbox: encode %s: %w", ev.Type(), err)
	}
	if _, err := tx.Exec(ctx,
		`INSERT INTO outbox (event_id, event_type, partition_key, event) VALUES ($1, $2, $3, $4)`,
		ev.ID(), ev.Type(), events.Str(ev, events.ExtPartitionKey), body); err != nil {
		return fmt.Errorf("outbox: enqueue %s: %w", ev.Type(), err)
	}
	return nil
}

// Sender delivers one event to the broker; it returns nil only once the
// broker has accepted the event.
type Sender interface {
	Send(ctx context.Context, ev cloudevents.Event) error
}

// Outbox sends committed outbox rows of one function's schema.
//
// Hazard: an event may be sent more than once (a crash between the broker's
// accept and the "sent" mark); consumers deduplicate on (source, id).
type Outbox struct {
	Pool   *pgxpool.Pool
	Sender Sender
	// Batch is how many rows one pass locks and sends; 0 means 100.
	Batch int
}

// Send publishes just-committed events straight from memory, in order, and
// then marks the ones the broker accepted as sent. It stops at the first
// failure: that event and the ones after it stay unsent for the relay. The
// "sent" mark is written without waiting for the WAL flush: losing it in a
// crash only means the relay sends the event again, which consumers
// deduplicate.
func (o *Outbox) Send(ctx context.Context, evs []cloudevents.Event) error {
	if len(evs) == 0 {
		return nil
	}
	var sent []string
	var failed error
	for _, ev := range evs {
		if err := o.Sender.Send(ctx, ev); err != nil {
			failed = fmt.Errorf("outbox: send %s: %w", ev.Type(), err)
			break
		}
		sent = append(sent, ev.ID())
	}
	if len(sent) > 0 {
		b := &pgx.Batch{}
		b.Queue(`BEGIN`)
		b.Queue(`SET LOCAL synchronous_commit = off`)
		b.Queue(`UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE event_id = ANY($1) AND sent_at IS NULL`, sent)
		b.Queue(`COMMIT`)
		if err := o.Pool.SendBatch(ctx, b).Close(); err != nil {
			return errors.Join(failed, fmt.Errorf("outbox: mark sent: %w", err))
		}
	}
	return failed
}

// Relay re-sends rows committed more than olderThan ago and not yet sent,
// pass after pass until none are left or a pass fails. It returns how many it sent.
func (o *Outbox) Relay(ctx context.Context, olderThan time.Duration) (int, error) {
	batch := o.Batch
	if batch <= 0 {
		batch = 100
	}
	total := 0
	for {
		n, err := o.pass(ctx, `SELECT seq, event FROM outbox WHERE sent_at IS NULL AND created_at < now() - make_interval(secs => $1)
			ORDER BY seq LIMIT `+fmt.Sprint(batch)+` FOR UPDATE SKIP LOCKED`, olderThan.Seconds())
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}

// Pending counts rows not yet sent (for readiness and metrics).
func (o *Outbox) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := o.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n)
	return n, err
}

// pass locks the selected rows, sends them in order and marks each sent or
// failed, all in one transaction. It returns how many rows were sent.
func (o *Outbox) pass(ctx context.Context, query string, arg any) (int, error) {
	tx, err := o.Pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit

	rows, err := tx.Query(ctx, query, arg)
	if err != nil {
		return 0, fmt.Errorf("outbox: select: %w", err)
	}
	type row struct {
		seq int64
		ev  cloudevents.Event
	}
	var todo []row
	for rows.Next() {
		var r row
		var body []byte
		if err := rows.Scan(&r.seq, &body); err != nil {
			rows.Close()
			return 0, fmt.Errorf("outbox: scan: %w", err)
		}
		if err := json.Unmarshal(body, &r.ev); err != nil {
			rows.Close()
			return 0, fmt.Errorf("outbox: decode row %d: %w", r.seq, err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("outbox: rows: %w", err)
	}
	sent := 0
	var failed error
	for _, r := range todo {
		if err := o.Sender.Send(ctx, r.ev); err != nil {
			failed = fmt.Errorf("outbox: send %s: %w", r.ev.Type(), err)
			if _, uerr := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = $1`,
				r.seq, truncate(err.Error(), 500)); uerr != nil {
				return sent, errors.Join(failed, uerr)
			}
			break // keep order: later rows wait for the next pass
		}
		if _, err := tx.Exec(ctx, `UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = '' WHERE seq = $1`, r.seq); err != nil {
			return sent, fmt.Errorf("outbox: mark sent: %w", err)
		}
		sent++
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("outbox: commit: %w", err)
	}
	return sent, failed
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
