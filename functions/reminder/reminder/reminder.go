// Package reminder is the reminder function: it keeps every reminder in
// Postgres (the source of truth, status scheduled → fired | cancelled) and
// its schedule in Redis (infra/schedule), and fires each reminder exactly
// once by emitting dk.nemrefusion.reminder.due.v1.
//
// Consumes: reminder.scheduled.v1 (store or move a reminder, put it on the
// schedule), reminder.cancelled.v1 (by id or by subject),
// citizen.tasks.closed.v1 (cancels subject {tasks, absenceId}, so the day-6
// SMS goes only while tasks are open) and the PingSource tick
// "reminder-due". Emits: reminder.due.v1. Serves POST
// /api/v1/reminders/rebuild (operators) and GET /api/v1/reminders/status.
//
// Exactly once: a tick claims due ids from Redis atomically (the Lua claim
// hands each id to one caller per lease), then marks each fired in Postgres
// with a conditional update (status 'scheduled' → 'fired') in the same
// transaction that puts reminder.due on the outbox. Should Redis hand the
// same id out twice (an expired lease, a rebuild, a stale entry), the second
// update changes nothing and nothing is emitted.
//
// Nothing is lost: a claimed id whose claimer crashed before acknowledging
// is handed out again when its lease (one minute) runs out, and the rebuild
// (at start, on demand, and by itself when the schedule's marker key is
// missing after Redis lost its data) re-derives the schedule from the rows
// with status 'scheduled'. Both are needed: the lease covers a crash while
// Redis keeps its data, the rebuild covers Redis losing it.
package reminder

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/schedule"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the reminder function's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Clock tells the time. Tests pass a clock they move by hand.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Reminders is the reminder function's logic over one runtime.Service (its
// Postgres schema) and one schedule.
type Reminders struct {
	svc   *runtime.Service
	sched *schedule.Schedule
	clock Clock
	// Batch is how many ids one claim takes; 0 means 100.
	Batch int
	// Authorize decides who may call the admin routes; nil refuses
	// everybody. main wires it to infra/auth (operators only).
	Authorize func(r *http.Request) error
}

// New returns the reminder logic of svc with the schedule sched and clock
// (nil means the wall clock).
func New(svc *runtime.Service, sched *schedule.Schedule, clock Clock) *Reminders {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Reminders{svc: svc, sched: sched, clock: clock}
}

// Register adds the event handlers, the tick and the admin routes to the
// service.
func (r *Reminders) Register() {
	runtime.On(r.svc, events.ReminderScheduled, r.HandleScheduled)
	runtime.On(r.svc, events.ReminderCancelled, r.HandleCancelled)
	runtime.On(r.svc, events.CitizenTasksClosed, r.HandleTasksClosed)
	r.svc.OnTick(events.TickReminderDue, func(ctx context.Context, _ *runtime.Tx, _ cloudevents.Event) error {
		// The tick's own transaction only records the tick; each reminder
		// fires in its own transaction.
		_, err := r.Tick(ctx)
		return err
	})
	r.svc.Mux.HandleFunc("POST /api/v1/reminders/rebuild", r.serveRebuild)
	r.svc.Mux.HandleFunc("GET /api/v1/reminders/status", r.serveStatus)
}

// table is the schema-qualified reminders table.
func (r *Reminders) table() string { return r.svc.Name + ".reminders" }

// HandleScheduled stores or moves a reminder and puts it on the schedule.
// A reminder that already fired or was cancelled is left as it is; one whose
// subject was cancelled after the event was sent is stored as cancelled.
func (r *Reminders) HandleScheduled(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, d events.ReminderSchedule) error {
	if err := lockSubject(ctx, tx, d.Subject); err != nil {
		return err
	}
	status := "scheduled"
	var cancelledAt time.Time
	err := tx.QueryRow(ctx, `SELECT cancelled_at FROM subject_cancellations WHERE subject_type = $1 AND subject_id = $2`,
		d.Subject.Type, d.Subject.ID).Scan(&cancelledAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return fmt.Errorf("read subject cancellation: %w", err)
	case !ev.Time().After(cancelledAt):
		status = "cancelled"
	}
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode reminder: %w", err)
	}
	var stored string
	err = tx.QueryRow(ctx, `INSERT INTO reminders (id, kind, subject_type, subject_id, due_at, status, data, correlation, cause, cancelled_at, cancel_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $6 = 'cancelled' THEN now() END, CASE WHEN $6 = 'cancelled' THEN 'subject-cancelled' END)
		ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, subject_type = EXCLUDED.subject_type, subject_id = EXCLUDED.subject_id,
			due_at = EXCLUDED.due_at, data = EXCLUDED.data, correlation = EXCLUDED.correlation, cause = EXCLUDED.cause,
			status = EXCLUDED.status, cancelled_at = EXCLUDED.cancelled_at, cancel_reason = EXCLUDED.cancel_reason, scheduled_at = now()
		WHERE reminders.status = 'scheduled'
		RETURNING status`,
		d.ID, d.Kind, d.Subject.Type, d.Subject.ID, d.Due, status, data, events.CorrelationID(ev), ev.ID()).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		runtime.Logger(ctx).InfoContext(ctx, "reminder already fired or cancelled; schedule ignored", "reminder", d.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("store reminder: %w", err)
	}
	if _, err := tx.Record(ctx, ledger.Entry{Stream: d.Subject.ID}); err != nil {
		return err
	}
	if stored != "scheduled" {
		return nil
	}
	// Added before commit: should the commit fail, the entry is stale and
	// harmless (the fire re-checks Postgres); should Redis fail, the event
	// is retried. Never the other way round, which could lose a reminder.
	if err := r.sched.Add(ctx, schedule.Entry{ID: d.ID, Due: d.Due}); err != nil {
		return runtime.Fail(runtime.KindUnavailable, "schedule-unavailable", "Påmindelser kan ikke planlægges lige nu.",
			"Reminders cannot be scheduled right now.", err)
	}
	return nil
}

// HandleCancelled cancels one reminder by id (remembering the id, so a
// reminder.scheduled arriving later does not revive it) or every scheduled
// reminder of a subject.
func (r *Reminders) HandleCancelled(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, d events.ReminderCancellation) error {
	reason := d.Reason
	if reason == "" {
		reason = "cancelled"
	}
	if d.Subject != nil {
		_, err := r.cancelSubject(ctx, tx, *d.Subject, ev.Time(), reason)
		return err
	}
	var stream string
	err := tx.QueryRow(ctx, `INSERT INTO reminders (id, kind, subject_type, subject_id, due_at, status, data, cancelled_at, cancel_reason)
		VALUES ($1, '', '', '', now(), 'cancelled', '{}', now(), $2)
		ON CONFLICT (id) DO UPDATE SET status = 'cancelled', cancelled_at = now(), cancel_reason = $2
		WHERE reminders.status = 'scheduled'
		RETURNING subject_id`, d.ID, reason).Scan(&stream)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // already fired or cancelled
	}
	if err != nil {
		return fmt.Errorf("cancel reminder: %w", err)
	}
	if stream == "" {
		stream = "reminder/" + d.ID
	}
	_, err = tx.Record(ctx, ledger.Entry{Stream: stream})
	return err
}

// HandleTasksClosed cancels the reminders of the absence's citizen tasks
// (subject {tasks, absenceId}): the day-6 SMS goes only while tasks are
// open (seeds/003).
func (r *Reminders) HandleTasksClosed(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, d events.CitizenTasksClosure) error {
	_, err := r.cancelSubject(ctx, tx, events.ReminderSubject{Type: events.SubjectTasks, ID: d.AbsenceID}, ev.Time(), "tasks-closed")
	return err
}

// cancelSubject cancels every scheduled reminder of s and remembers the
// cancellation time. The entries stay in Redis until they come due and are
// dropped then: removing them here, before commit, could lose a reminder
// whose cancellation then rolls back.
func (r *Reminders) cancelSubject(ctx context.Context, tx *runtime.Tx, s events.ReminderSubject, at time.Time, reason string) (int64, error) {
	if err := lockSubject(ctx, tx, s); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, `UPDATE reminders SET status = 'cancelled', cancelled_at = now(), cancel_reason = $3
		WHERE subject_type = $1 AND subject_id = $2 AND status = 'scheduled'`, s.Type, s.ID, reason)
	if err != nil {
		return 0, fmt.Errorf("cancel subject: %w", err)
	}
	if at.IsZero() {
		at = r.clock.Now()
	}
	if _, err := tx.Exec(ctx, `INSERT INTO subject_cancellations (subject_type, subject_id, cancelled_at) VALUES ($1, $2, $3)
		ON CONFLICT (subject_type, subject_id) DO UPDATE SET cancelled_at = greatest(subject_cancellations.cancelled_at, EXCLUDED.cancelled_at)`,
		s.Type, s.ID, at); err != nil {
		return 0, fmt.Errorf("remember subject cancellation: %w", err)
	}
	if _, err := tx.Record(ctx, ledger.Entry{Stream: s.ID}); err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// lockSubject serialises the transactions that schedule or cancel reminders
// of one subject. Without it a schedule and a cancellation handled at the
// same moment each miss the other's uncommitted row (the schedule sees no
// cancellation yet, the cancellation no reminder yet) and the reminder
// survives its cancellation.
func lockSubject(ctx context.Context, tx *runtime.Tx, s events.ReminderSubject) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('reminder-subject:' || $1 || ':' || $2, 0))`, s.Type, s.ID); err != nil {
		return fmt.Errorf("lock reminder subject: %w", err)
	}
	return nil
}
