package reminder_test

import (
	"context"
	"testing"
	"time"

	"nemrefusion.dk/events"
)

// Sygedagpengeloven § 7 (raskmelding; seeds/003 "Meld dig rask"): when the
// sick person reports themself fit, the sickness function cancels the
// absence's reminders (subject absence, reason "recovered"): the employer's
// reminder to ask refusion for the next period does not fire. The tasks'
// SMS (subject tasks) is the citizen function's: it stays while a task is
// open and goes with citizen.tasks.closed. A reminder the recovery crossed
// on the broker (scheduled after it) does not come back either.
func TestSDL7_RecoveryCancelsTheAbsencesRemindersNotTheOpenTasks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc, r, _ := w.instance(t)
	absence := events.ReminderSubject{Type: events.SubjectAbsence, ID: "abs-rec"}
	tasks := events.ReminderSubject{Type: events.SubjectTasks, ID: "abs-rec"}
	deliver(t, svc, scheduled(t, "abs-rec/next-period", t0.Add(time.Hour), absence))
	deliver(t, svc, scheduled(t, "abs-rec/tasks-sms", t0.Add(time.Hour), tasks))

	rec := event(t, events.ReminderCancelled, "abs-rec", events.ReminderCancellation{Subject: &absence, Reason: "recovered"})
	rec.SetTime(t0.Add(30 * time.Minute))
	deliver(t, svc, rec)
	late := scheduled(t, "abs-rec/late", t0.Add(2*time.Hour), absence)
	late.SetTime(t0.Add(10 * time.Minute)) // decided before the recovery, arriving after it
	deliver(t, svc, late)

	w.clock.Set(t0.Add(3 * time.Hour))
	if _, err := r.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := dueEvents(t, svc); len(got) != 1 || got["abs-rec/tasks-sms"] != 1 {
		t.Fatalf("fired %v, want only the open tasks' SMS", got)
	}
	for _, id := range []string{"abs-rec/next-period", "abs-rec/late"} {
		if s := status(t, svc, id); s != "cancelled" {
			t.Errorf("%s: %s, want cancelled", id, s)
		}
	}
	var reason string
	if err := svc.DB.QueryRow(context.Background(), `SELECT cancel_reason FROM reminders WHERE id = $1`, "abs-rec/next-period").Scan(&reason); err != nil || reason != "recovered" {
		t.Errorf("cancel reason %q (%v), want recovered", reason, err)
	}
}
