package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/schedule"
	"nemrefusion.dk/tests/stack"
)

// publish posts ev to the broker ingress, as another function's outbox would.
func remPublish(t *testing.T, ev cloudevents.Event) {
	t.Helper()
	body, err := ev.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(stack.Get().BrokerURL(), "application/cloudevents+json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("broker refused %s: %d", ev.Type(), resp.StatusCode)
	}
}

func remEvent(t *testing.T, id string, due time.Time, subject events.ReminderSubject) cloudevents.Event {
	t.Helper()
	ev, err := events.New(events.ReminderScheduled, "e2e", subject.ID, events.ReminderSchedule{
		ID: id, Due: due, Kind: "e2e", Subject: subject,
		Audience: events.ReminderAudience{Kind: events.AudienceSender, CVR: "30000005"},
		Channels: []string{events.ChannelInbox},
		Message:  events.ReminderMessage{TitleDa: "Påmindelse", TitleEn: "Reminder", BodyDa: "e2e", BodyEn: "e2e"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// remWaitFor polls cond until it holds or d passes; state, if given, says
// what was seen instead.
func remWaitFor(t *testing.T, what string, d time.Duration, cond func() bool, state ...func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	seen := ""
	for _, s := range state {
		seen += " (" + s() + ")"
	}
	t.Fatalf("timed out waiting for %s%s", what, seen)
}

// Through the broker and the running reminder and waiting functions: a
// reminder fires once and lands in the sender's inbox; one whose citizen
// tasks closed never fires; after the Redis schedule is lost, the function
// notices on its next tick, rebuilds from Postgres and the pending reminder
// still fires once.
func TestRemindersThroughTheStack(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	run := fmt.Sprint(time.Now().UnixNano())
	soon := time.Now().Add(2 * time.Second)
	fires := "e2e-" + run + "/fires"
	closed := "e2e-" + run + "/closed"
	pending := "e2e-" + run + "/after-flush"
	remPublish(t, remEvent(t, fires, soon, events.ReminderSubject{Type: events.SubjectAbsence, ID: "e2e-abs-" + run}))
	// Due after its tasks close below: it must be cancelled, not fired.
	remPublish(t, remEvent(t, closed, time.Now().Add(20*time.Second), events.ReminderSubject{Type: events.SubjectTasks, ID: "e2e-tasks-" + run}))
	// Due well after the schedule is lost below, even on a slow, loaded machine.
	remPublish(t, remEvent(t, pending, time.Now().Add(45*time.Second), events.ReminderSubject{Type: events.SubjectCase, ID: "e2e-case-" + run}))
	tasksClosed, err := events.New(events.CitizenTasksClosed, "e2e", "e2e-tasks-"+run, events.CitizenTasksClosure{AbsenceID: "e2e-tasks-" + run}, nil)
	if err != nil {
		t.Fatal(err)
	}
	remPublish(t, tasksClosed)

	status := func(id string) string {
		var s string
		_ = pool.QueryRow(ctx, `SELECT status FROM reminder.reminders WHERE id = $1`, id).Scan(&s)
		return s
	}
	remWaitFor(t, "the three reminders stored", 30*time.Second, func() bool {
		return status(fires) != "" && status(closed) == "cancelled" && status(pending) == "scheduled"
	}, func() string {
		return fmt.Sprintf("fires=%q closed=%q pending=%q", status(fires), status(closed), status(pending))
	})

	// Lose the schedule the way FLUSHALL would (only this database's keys:
	// other tests share the Redis).
	rdb, err := schedule.Open(ctx, remRedisURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := schedule.New(rdb, schedule.Prefix(os.Getenv("DATABASE_URL"), "reminder")).Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if st := status(pending); st != "scheduled" {
		t.Fatalf("the pending reminder is %q before the schedule was lost; the test needs it scheduled", st)
	}
	remWaitFor(t, "the reminder in the sender's inbox", 30*time.Second, func() bool {
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM waiting.sender_inbox WHERE reminder_id = $1`, fires).Scan(&n)
		return n == 1
	})
	remWaitFor(t, "the pending reminder to fire after the rebuild", 75*time.Second, func() bool { return status(pending) == "fired" })
	time.Sleep(3 * time.Second)
	var dues, closedDue int
	_ = pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE event->'data'->>'id' IN ($1, $2)),
		count(*) FILTER (WHERE event->'data'->>'id' = $3) FROM reminder.outbox WHERE event_type = $4`,
		fires, pending, closed, events.ReminderDue).Scan(&dues, &closedDue)
	if dues != 2 || closedDue != 0 || status(closed) != "cancelled" {
		t.Fatalf("reminder.due events: %d for the two that fire (want 2), %d for the cancelled one", dues, closedDue)
	}
}

func remRedisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// The ventefunktion through the public origin with an employer's token: a
// prepared report due yesterday alerts the sender's inbox at once; one due
// next month is submitted in one action (the report goes to the broker with
// a receipt) and its reminders are cancelled in the reminder function.
func TestPreparedFormThroughTheStack(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tok := token(t, "employer")
	report, err := os.ReadFile("../../schemas/examples/sickness.employer.reported.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	prepare := func(due, deadline string) string {
		body := fmt.Sprintf(`{"type":%q,"data":%s,"dueDate":%q,"deadline":%q}`, events.SicknessEmployerReported, report, due, deadline)
		r := do(t, tok, "POST", "/api/v1/prepared", body)
		if r.status != http.StatusCreated {
			t.Fatalf("prepare: %d %s", r.status, r.body)
		}
		return r.json()["id"].(string)
	}
	now := time.Now()
	alerted := prepare(now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 20).Format(time.DateOnly))
	submitted := prepare(now.AddDate(0, 1, 0).Format(time.DateOnly), now.AddDate(0, 2, 0).Format(time.DateOnly))
	if r := do(t, tok, "GET", "/api/v1/prepared", ""); r.status != http.StatusOK || len(r.json()["prepared"].([]any)) < 2 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := do(t, "", "GET", "/api/v1/prepared", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", r.status)
	}
	remWaitFor(t, "the due alert in the inbox", 40*time.Second, func() bool {
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM waiting.sender_inbox WHERE reminder_id = $1`, alerted+"/due").Scan(&n)
		return n == 1
	})
	remWaitFor(t, "the reminders of the second form stored", 20*time.Second, func() bool {
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM reminder.reminders WHERE subject_id = $1 AND status = 'scheduled'`, submitted).Scan(&n)
		return n == 2
	})
	r := do(t, tok, "POST", "/api/v1/prepared/"+submitted+"/submit", "")
	if r.status != http.StatusAccepted || r.json()["receipt"] == "" {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	remWaitFor(t, "the submitted form's reminders cancelled", 20*time.Second, func() bool {
		var n int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM reminder.reminders WHERE subject_id = $1 AND status = 'cancelled'`, submitted).Scan(&n)
		return n == 2
	})
}
