package reminder_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/reminder/plan"
)

// Seeds/003 and sygedagpengeloven § 38: the sick person's reminder on day 6
// fires once and asks notify for the reminder letter (to the person, from
// the municipality, about the deadline); it is cancelled with the tasks
// (citizen.tasks.closed), and then no letter goes.
func TestSDL38_Day6ReminderRequestsTheReminderLetter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc, r, _ := w.instance(t)
	from := events.Authority{CVR: ids.MustCVR("30000005"), Name: "Københavns Kommune"}
	deadline := time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)
	for _, absence := range []string{"open-tasks", "closed-tasks"} {
		rs := plan.CitizenTaskLetter(t0, absence, "comment", "0101901234", from, deadline)
		if len(rs) != 1 {
			t.Fatalf("planned %d reminder letters, want 1", len(rs))
		}
		deliver(t, svc, event(t, events.ReminderScheduled, absence, rs[0]))
	}
	deliver(t, svc, event(t, events.CitizenTasksClosed, "closed-tasks", events.CitizenTasksClosure{AbsenceID: "closed-tasks"}))
	w.clock.Set(time.Date(2024, 3, 10, 9, 0, 0, 0, plan.Danish))
	if _, err := r.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := svc.DB.Query(context.Background(), `SELECT event FROM outbox WHERE event_type = $1`, events.LetterRequested)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []events.LetterRequest
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Data events.LetterRequest `json:"data"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.Data)
	}
	if len(got) != 1 {
		t.Fatalf("%d reminder letters requested, want 1 (the closed tasks' reminder is cancelled): %+v", len(got), got)
	}
	l := got[0]
	if l.Kind != events.LetterReminder || l.Recipient.CPR.String() != "0101901234" || l.Sender != from ||
		l.Reference != "open-tasks" || l.Data["deadline"] != "2024-03-12" {
		t.Fatalf("letter request %+v", l)
	}
	if n := dueEvents(t, svc)["open-tasks/citizen-tasks/letter/2024-03-12/comment"]; n != 1 {
		t.Fatalf("reminder.due %d times, want 1", n)
	}
}
