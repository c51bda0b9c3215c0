package reminder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/schedule"
)

// Tick claims every reminder that is due now and fires each one in its own
// transaction. It first rebuilds the schedule when Redis has lost it. Any
// number of ticks may run at the same time, in any number of processes:
// each reminder fires once. It returns how many reminders this call fired.
// A reminder that fails to fire stays claimed and is retried when its lease
// runs out.
func (r *Reminders) Tick(ctx context.Context) (int, error) {
	if err := r.EnsureBuilt(ctx); err != nil {
		return 0, err
	}
	batch := r.Batch
	if batch <= 0 {
		batch = 100
	}
	fired := 0
	var firstErr error
	for {
		now := r.clock.Now()
		ids, err := r.sched.Claim(ctx, now, batch)
		if err != nil {
			return fired, runtime.Fail(runtime.KindUnavailable, "schedule-unavailable", "Påmindelser kan ikke hentes lige nu.",
				"Reminders cannot be fetched right now.", err)
		}
		done := make([]string, 0, len(ids))
		for _, id := range ids {
			ok, err := r.fire(ctx, id, now)
			if err != nil {
				runtime.Logger(ctx).WarnContext(ctx, "reminder not fired; retried when its claim expires", "reminder", id, "err", err.Error())
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			if ok {
				fired++
			}
			done = append(done, id)
		}
		if err := r.sched.Ack(ctx, done...); err != nil {
			// The claims expire; the re-check in Postgres makes the second
			// hand-out harmless.
			runtime.Logger(ctx).WarnContext(ctx, "claims not released", "err", err.Error())
		}
		if len(ids) < batch {
			break
		}
	}
	return fired, firstErr
}

// fire marks one claimed reminder fired and emits reminder.due, in one
// transaction, when Postgres still holds it as scheduled and due. A
// reminder moved to a later time goes back on the schedule at that time.
func (r *Reminders) fire(ctx context.Context, id string, now time.Time) (bool, error) {
	var (
		fired      bool
		later      time.Time
		data       []byte
		corr, caus string
		status     string
		due        time.Time
	)
	err := r.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		err := tx.QueryRow(ctx, `SELECT status, due_at, data, correlation, cause FROM reminders WHERE id = $1 FOR UPDATE`, id).
			Scan(&status, &due, &data, &corr, &caus)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // not ours (a stale entry): drop it
		}
		if err != nil {
			return fmt.Errorf("load reminder: %w", err)
		}
		if status != "scheduled" {
			return nil
		}
		if due.After(now) {
			later = due
			return nil
		}
		tag, err := tx.Exec(ctx, `UPDATE reminders SET status = 'fired', fired_at = $2 WHERE id = $1 AND status = 'scheduled'`, id, now)
		if err != nil {
			return fmt.Errorf("mark fired: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return nil
		}
		var d events.ReminderSchedule
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("decode reminder: %w", err)
		}
		cause := cloudevents.NewEvent()
		cause.SetID(caus)
		if corr != "" {
			cause.SetExtension(events.ExtCorrelationID, corr)
		}
		ev, err := events.New(events.ReminderDue, r.svc.Name, d.Subject.ID, events.ReminderFired{ReminderSchedule: d, FiredAt: now.UTC()}, &cause)
		if err != nil {
			return err
		}
		if _, err := tx.Record(ctx, ledger.Entry{
			Stream: d.Subject.ID, EventType: ev.Type(), EventSource: ev.Source(), EventID: ev.ID(),
			Correlation: corr, Cause: caus, Payload: ev.Data(), RecordedAt: now,
		}); err != nil {
			return err
		}
		if err := tx.EmitEvent(ctx, ev); err != nil {
			return err
		}
		if err := r.letter(ctx, tx, d, ev); err != nil {
			return err
		}
		fired = true
		return nil
	})
	if err != nil {
		return false, err
	}
	if !later.IsZero() {
		if err := r.sched.Add(ctx, schedule.Entry{ID: id, Due: later}); err != nil {
			return false, err
		}
	}
	return fired, nil
}

// letter asks notify for the reminder letter of a citizen's reminder that
// names the letter channel (plan.CitizenTaskLetter; seeds/003, day 6): to
// the person by CPR, from the municipality, about the deadline, in the
// person's language and by Digital Post or on paper (notify decides both).
// A reminder without a person, an authority or a deadline has no letter
// to write, and firing it must not fail for that.
func (r *Reminders) letter(ctx context.Context, tx *runtime.Tx, d events.ReminderSchedule, due cloudevents.Event) error {
	if d.Audience.Kind != events.AudienceCitizen || !slices.Contains(d.Channels, events.ChannelLetter) {
		return nil
	}
	cpr, err := ids.ParseCPR(d.Audience.CPR)
	_, dlErr := time.Parse(time.DateOnly, d.Message.Deadline)
	if err != nil || dlErr != nil || d.Audience.From == nil || d.Subject.ID == "" {
		runtime.Logger(ctx).WarnContext(ctx, "citizen reminder has no letter to write", "reminder", d.ID)
		return nil
	}
	ev, err := events.New(events.LetterRequested, r.svc.Name, d.Subject.ID, events.LetterRequest{
		Kind: events.LetterReminder, Recipient: events.Party{CPR: cpr}, Sender: *d.Audience.From, Reference: d.Subject.ID,
		Data: map[string]string{"deadline": d.Message.Deadline},
	}, &due)
	if err != nil {
		return err
	}
	return tx.EmitEvent(ctx, ev)
}

// EnsureBuilt rebuilds the schedule when its marker is missing (first start,
// or Redis lost its data).
func (r *Reminders) EnsureBuilt(ctx context.Context) error {
	ok, err := r.sched.Built(ctx)
	if err != nil {
		return runtime.Fail(runtime.KindUnavailable, "schedule-unavailable", "Påmindelser kan ikke hentes lige nu.",
			"Reminders cannot be fetched right now.", err)
	}
	if ok {
		return nil
	}
	n, err := r.Rebuild(ctx)
	if err != nil {
		return err
	}
	runtime.Logger(ctx).InfoContext(ctx, "reminder schedule was missing and is rebuilt from Postgres", "reminders", n)
	return nil
}

// Rebuild puts every reminder Postgres holds as scheduled back on the
// schedule and returns how many.
func (r *Reminders) Rebuild(ctx context.Context) (int, error) {
	n, err := schedule.RebuildFromPostgres(ctx, r.sched, r.svc.DB, r.table())
	if err != nil {
		return n, runtime.Fail(runtime.KindUnavailable, "rebuild-failed", "Påmindelser kunne ikke genopbygges.",
			"Reminders could not be rebuilt.", err)
	}
	return n, nil
}

// Loop ticks every interval until ctx ends: the in-process tick that gives
// sub-minute latency next to the PingSource (whose cron fires at most once a
// minute). Ticks from the loop and the PingSource may overlap freely.
func (r *Reminders) Loop(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.Tick(runtime.WithLogger(ctx, r.svc.Log)); err != nil {
				r.svc.Log.WarnContext(ctx, "reminder tick failed", "err", err.Error())
			}
		}
	}
}

// RebuildResult is the answer of the rebuild route.
type RebuildResult struct {
	Rebuilt int `json:"rebuilt"`
}

func (r *Reminders) serveRebuild(w http.ResponseWriter, req *http.Request) {
	if err := r.authorizeAdmin(req); err != nil {
		runtime.WriteError(w, err)
		return
	}
	n, err := r.Rebuild(req.Context())
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, RebuildResult{Rebuilt: n})
}

// Status is the answer of the status route: counts by status in Postgres
// and the sizes of the Redis schedule.
type Status struct {
	Scheduled int64 `json:"scheduled"`
	Fired     int64 `json:"fired"`
	Cancelled int64 `json:"cancelled"`
	OnRedis   int64 `json:"onRedis"`
	Claimed   int64 `json:"claimed"`
}

func (r *Reminders) serveStatus(w http.ResponseWriter, req *http.Request) {
	if err := r.authorizeAdmin(req); err != nil {
		runtime.WriteError(w, err)
		return
	}
	var s Status
	err := r.svc.DB.QueryRow(req.Context(), `SELECT count(*) FILTER (WHERE status = 'scheduled'),
		count(*) FILTER (WHERE status = 'fired'), count(*) FILTER (WHERE status = 'cancelled') FROM reminders`).
		Scan(&s.Scheduled, &s.Fired, &s.Cancelled)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	if s.OnRedis, s.Claimed, err = r.sched.Len(req.Context()); err != nil {
		runtime.WriteError(w, runtime.Fail(runtime.KindUnavailable, "schedule-unavailable", "Redis svarer ikke.", "Redis does not answer.", err))
		return
	}
	runtime.WriteJSON(w, http.StatusOK, s)
}

// authorizeAdmin is the one authorisation decision of the admin routes.
func (r *Reminders) authorizeAdmin(req *http.Request) error {
	if r.Authorize == nil {
		return runtime.Fail(runtime.KindForbidden, "forbidden", "Du har ikke adgang.", "You do not have access.", nil)
	}
	return r.Authorize(req)
}
