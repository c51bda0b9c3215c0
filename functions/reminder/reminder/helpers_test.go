package reminder_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/reminder/reminder"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
	"nemrefusion.dk/infra/schedule"
)

// clock is a clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var t0 = time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)

// world is one database schema and one Redis prefix; instances are reminder
// processes sharing them.
type world struct {
	name, prefix string
	clock        *clock
	base         config.Base
}

func newWorld(t *testing.T) *world {
	t.Helper()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	// A broker ingress that accepts everything; the test counts emitted
	// events on the outbox, where they stay (marked sent).
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	t.Cleanup(sink.Close)
	base.Sink = sink.URL
	runtimetest.TrustTestBroker(t, &base) // deliver signs as the broker does
	w := &world{
		name:  fmt.Sprintf("reminder_t%d", rand.Uint32()),
		clock: &clock{now: t0},
		base:  base,
	}
	w.prefix = "nrtest:{" + w.name + "}:"
	return w
}

// instance starts one reminder process (its own pool, Redis client and
// Service) on the world's schema and prefix.
func (w *world) instance(t *testing.T) (*runtime.Service, *reminder.Reminders, *schedule.Schedule) {
	t.Helper()
	ctx := context.Background()
	svc, err := runtime.New(ctx, runtime.Options{Name: w.name, Base: w.base, Migrations: reminder.Migrations(),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rdb, err := schedule.Open(ctx, w.base.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	sched := schedule.New(rdb, w.prefix)
	t.Cleanup(func() {
		_ = sched.Drop(context.Background())
		_, _ = svc.DB.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+w.name+" CASCADE")
		svc.DB.Close()
		rdb.Close()
	})
	r := reminder.New(svc, sched, w.clock)
	r.Batch = 7 // several claim rounds per tick
	r.Register()
	return svc, r, sched
}

// deliver posts ev to the service as the broker would and wants 2xx.
func deliver(t *testing.T, svc *runtime.Service, ev cloudevents.Event) {
	t.Helper()
	if code := deliverCode(t, svc, ev); code/100 != 2 {
		t.Fatalf("deliver %s: status %d", ev.Type(), code)
	}
}

func deliverCode(t *testing.T, svc *runtime.Service, ev cloudevents.Event) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	runtimetest.SignDelivery(t, req, svc.Name)
	if req.Body == nil {
		req.Body = io.NopCloser(bytes.NewReader(nil))
	}
	rec := httptest.NewRecorder()
	svc.Mux.ServeHTTP(rec, req)
	return rec.Code
}

func event(t *testing.T, typ, key string, data any) cloudevents.Event {
	t.Helper()
	ev, err := events.New(typ, "test", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func scheduled(t *testing.T, id string, due time.Time, subject events.ReminderSubject) cloudevents.Event {
	return event(t, events.ReminderScheduled, subject.ID, events.ReminderSchedule{
		ID: id, Due: due, Kind: "test", Subject: subject,
		Audience: events.ReminderAudience{Kind: events.AudienceSender, CVR: "12345674"},
		Message:  events.ReminderMessage{TitleDa: "Påmindelse", TitleEn: "Reminder", BodyDa: "x", BodyEn: "x"},
	})
}

// dueEvents counts reminder.due events on the outbox by reminder id.
func dueEvents(t *testing.T, svc *runtime.Service) map[string]int {
	t.Helper()
	rows, err := svc.DB.Query(context.Background(), `SELECT event->'data'->>'id' FROM outbox WHERE event_type = $1`, events.ReminderDue)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id]++
	}
	return out
}

func status(t *testing.T, svc *runtime.Service, id string) string {
	t.Helper()
	var s string
	if err := svc.DB.QueryRow(context.Background(), `SELECT status FROM reminders WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatalf("status of %s: %v", id, err)
	}
	return s
}

func scheduleEntry(id string, due time.Time) schedule.Entry { return schedule.Entry{ID: id, Due: due} }
