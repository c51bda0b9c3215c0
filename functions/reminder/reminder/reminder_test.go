package reminder_test

import (
	"context"
	"fmt"
	cloudevents "github.com/cloudevents/sdk-go/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/reminder/reminder"
	"nemrefusion.dk/infra/runtime"
)

func scheduleMany(t *testing.T, svc *runtime.Service, n int, due time.Time) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("r%03d", i)
		deliver(t, svc, scheduled(t, ids[i], due.Add(time.Duration(i)*time.Millisecond),
			events.ReminderSubject{Type: events.SubjectAbsence, ID: fmt.Sprintf("abs-%d", i%5)}))
	}
	return ids
}

// tickConcurrently runs one Tick on every Reminders at once, as replicas
// receiving the same PingSource tick at the same moment do.
func tickConcurrently(t *testing.T, rs ...*reminder.Reminders) int64 {
	t.Helper()
	var fired atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, r := range rs {
		wg.Go(func() {
			<-start
			n, err := r.Tick(context.Background())
			if err != nil {
				t.Error(err)
			}
			fired.Add(int64(n))
		})
	}
	close(start)
	wg.Wait()
	return fired.Load()
}

func wantFiredOnce(t *testing.T, svc *runtime.Service, ids []string) {
	t.Helper()
	got := dueEvents(t, svc)
	if len(got) != len(ids) {
		t.Fatalf("%d reminders fired, want %d", len(got), len(ids))
	}
	for _, id := range ids {
		if got[id] != 1 {
			t.Fatalf("%s fired %d times", id, got[id])
		}
		if s := status(t, svc, id); s != "fired" {
			t.Fatalf("%s has status %s", id, s)
		}
	}
}

// Four tick handlers of one process at the same moment: each due reminder
// fires exactly once, and nothing fires before its time.
func TestReminderFiresExactlyOnceWithFourConcurrentTicks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc, r, _ := w.instance(t)
	ids := scheduleMany(t, svc, 40, t0.Add(time.Second))
	deliver(t, svc, scheduled(t, "later", t0.Add(time.Hour), events.ReminderSubject{Type: events.SubjectAbsence, ID: "x"}))
	if n := tickConcurrently(t, r, r, r, r); n != 0 {
		t.Fatalf("%d fired before their time", n)
	}
	w.clock.Set(t0.Add(time.Minute))
	if n := tickConcurrently(t, r, r, r, r); n != int64(len(ids)) {
		t.Fatalf("ticks report %d fired, want %d", n, len(ids))
	}
	wantFiredOnce(t, svc, ids)
	if s := status(t, svc, "later"); s != "scheduled" {
		t.Fatalf("later: %s", s)
	}
}

// Two reminder processes (two Services, two pools, two Redis clients)
// sharing Postgres and Redis, each with two concurrent ticks: each reminder
// fires exactly once.
func TestReminderFiresExactlyOnceAcrossTwoProcesses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svcA, a, _ := w.instance(t)
	_, b, _ := w.instance(t)
	ids := scheduleMany(t, svcA, 40, t0.Add(time.Second))
	w.clock.Set(t0.Add(time.Minute))
	if n := tickConcurrently(t, a, b, a, b); n != int64(len(ids)) {
		t.Fatalf("ticks report %d fired, want %d", n, len(ids))
	}
	wantFiredOnce(t, svcA, ids)
}

// Redis hands the same id out twice (a stale entry re-added after it
// fired): Postgres refuses the second fire.
func TestSecondHandOutDoesNotFireAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc, r, sched := w.instance(t)
	ids := scheduleMany(t, svc, 3, t0)
	w.clock.Set(t0.Add(time.Minute))
	if n, err := r.Tick(context.Background()); err != nil || n != 3 {
		t.Fatalf("tick: %d %v", n, err)
	}
	for _, id := range ids {
		if err := sched.Add(context.Background(), scheduleEntry(id, t0)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.Tick(context.Background()); err != nil || n != 0 {
		t.Fatalf("second hand-out fired %d (%v)", n, err)
	}
	wantFiredOnce(t, svc, ids)
}

// The Redis data is lost (what FLUSHALL does to the schedule's keys) after
// some reminders fired: the next tick notices the missing marker, rebuilds
// from Postgres, and every pending reminder is back and fires once, while
// none that already fired fires again.
func TestLosingRedisLosesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	svc, r, sched := w.instance(t)
	early := scheduleMany(t, svc, 10, t0)
	var pending []string
	for i := range 15 {
		id := fmt.Sprintf("p%02d", i)
		pending = append(pending, id)
		deliver(t, svc, scheduled(t, id, t0.Add(time.Hour), events.ReminderSubject{Type: events.SubjectCase, ID: "c"}))
	}
	w.clock.Set(t0.Add(time.Minute))
	if n, err := r.Tick(ctx); err != nil || n != len(early) {
		t.Fatalf("tick: %d %v", n, err)
	}
	if err := sched.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Tick(ctx); err != nil || n != 0 {
		t.Fatalf("tick after the loss fired %d (%v)", n, err)
	}
	onRedis, _, err := sched.Len(ctx)
	if err != nil || onRedis != int64(len(pending)) {
		t.Fatalf("after rebuild %d on Redis, want %d (%v)", onRedis, len(pending), err)
	}
	for _, id := range pending {
		due, ok, err := sched.Due(ctx, id)
		if err != nil || !ok || !due.Equal(t0.Add(time.Hour)) {
			t.Fatalf("%s: %v %v %v", id, due, ok, err)
		}
	}
	w.clock.Set(t0.Add(2 * time.Hour))
	if n, err := r.Tick(ctx); err != nil || n != len(pending) {
		t.Fatalf("tick: %d %v", n, err)
	}
	wantFiredOnce(t, svc, append(early, pending...))
}

// A claimer that dies after claiming (never acknowledging): when the lease
// runs out the reminder is claimed again and fires once.
func TestClaimedButCrashedReminderIsNotLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	svc, r, sched := w.instance(t)
	ids := scheduleMany(t, svc, 2, t0)
	if err := r.EnsureBuilt(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := sched.Claim(ctx, t0.Add(time.Second), 10) // the crashed process
	if err != nil || len(got) != 2 {
		t.Fatalf("claim: %v %v", got, err)
	}
	w.clock.Set(t0.Add(2 * time.Second))
	if n, _ := r.Tick(ctx); n != 0 {
		t.Fatalf("fired %d inside the lease", n)
	}
	w.clock.Set(t0.Add(2 * time.Minute))
	if n, err := r.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("after the lease: %d %v", n, err)
	}
	wantFiredOnce(t, svc, ids)
}

// Cancelling by subject (a prepared form submitted, the citizen's tasks
// closed) and by id; a cancellation that arrives before its schedule still
// wins; rescheduling the same id moves it.
func TestCancelAndReschedule(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc, r, _ := w.instance(t)
	tasks := events.ReminderSubject{Type: events.SubjectTasks, ID: "abs-1"}
	other := events.ReminderSubject{Type: events.SubjectTasks, ID: "abs-2"}
	prepared := events.ReminderSubject{Type: events.SubjectPrepared, ID: "prep-1"}
	deliver(t, svc, scheduled(t, "abs-1/sms", t0.Add(time.Hour), tasks))
	deliver(t, svc, scheduled(t, "abs-2/sms", t0.Add(time.Hour), other))
	deliver(t, svc, scheduled(t, "prep-1/due", t0.Add(time.Hour), prepared))
	deliver(t, svc, scheduled(t, "prep-1/deadline", t0.Add(2*time.Hour), prepared))
	deliver(t, svc, scheduled(t, "byid", t0.Add(time.Hour), events.ReminderSubject{Type: events.SubjectCase, ID: "c"}))
	deliver(t, svc, scheduled(t, "moved", t0.Add(5*time.Hour), events.ReminderSubject{Type: events.SubjectCase, ID: "c"}))

	deliver(t, svc, event(t, events.CitizenTasksClosed, "abs-1", events.CitizenTasksClosure{AbsenceID: "abs-1"}))
	deliver(t, svc, event(t, events.ReminderCancelled, "prep-1", events.ReminderCancellation{Subject: &prepared, Reason: "submitted"}))
	deliver(t, svc, event(t, events.ReminderCancelled, "c", events.ReminderCancellation{ID: "byid"}))
	// Cancelled before it was ever scheduled (events out of order).
	deliver(t, svc, event(t, events.ReminderCancelled, "c", events.ReminderCancellation{ID: "early-cancel"}))
	deliver(t, svc, scheduled(t, "early-cancel", t0.Add(time.Hour), events.ReminderSubject{Type: events.SubjectCase, ID: "c"}))
	// Moved from +5h to +1h.
	deliver(t, svc, scheduled(t, "moved", t0.Add(time.Hour), events.ReminderSubject{Type: events.SubjectCase, ID: "c"}))

	w.clock.Set(t0.Add(3 * time.Hour))
	if _, err := r.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := dueEvents(t, svc)
	if len(got) != 2 || got["abs-2/sms"] != 1 || got["moved"] != 1 {
		t.Fatalf("fired %v, want abs-2/sms and moved", got)
	}
	for _, id := range []string{"abs-1/sms", "prep-1/due", "prep-1/deadline", "byid", "early-cancel"} {
		if s := status(t, svc, id); s != "cancelled" {
			t.Fatalf("%s: %s", id, s)
		}
	}
	// A reminder moved later than an entry Redis still holds does not fire early.
	deliver(t, svc, scheduled(t, "pushed", t0.Add(4*time.Hour), events.ReminderSubject{Type: events.SubjectCase, ID: "c"}))
	deliver(t, svc, scheduled(t, "pushed", t0.Add(10*time.Hour), events.ReminderSubject{Type: events.SubjectCase, ID: "c"}))
	w.clock.Set(t0.Add(5 * time.Hour))
	if n, _ := r.Tick(context.Background()); n != 0 {
		t.Fatalf("pushed fired early")
	}
	w.clock.Set(t0.Add(11 * time.Hour))
	if n, _ := r.Tick(context.Background()); n != 1 {
		t.Fatalf("pushed did not fire")
	}
}

// Input that can never succeed is refused with 400 (never retried).
func TestInvalidScheduleIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc, _, _ := w.instance(t)
	ev := event(t, events.ReminderScheduled, "x", map[string]any{"id": "x", "due": "tomorrow"})
	if code := deliverCode(t, svc, ev); code != http.StatusBadRequest {
		t.Fatalf("status %d", code)
	}
}

// A schedule and a tasks-closed cancellation of the same subject handled at
// the same moment (two broker deliveries in flight) still end cancelled:
// neither transaction may miss the other's uncommitted row. The schedule
// event is made first, so the cancellation is the later fact (§ 38: the
// day-6 SMS goes only while tasks are open).
func TestConcurrentScheduleAndCancellationEndCancelled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc, _, _ := w.instance(t)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		abs := fmt.Sprintf("race-%d", i)
		sched := scheduled(t, abs+"/sms", t0.Add(time.Hour), events.ReminderSubject{Type: events.SubjectTasks, ID: abs})
		closed := event(t, events.CitizenTasksClosed, abs, events.CitizenTasksClosure{AbsenceID: abs})
		wg.Add(2)
		for _, ev := range []cloudevents.Event{sched, closed} {
			go func() {
				defer wg.Done()
				if code := deliverCode(t, svc, ev); code/100 != 2 {
					t.Errorf("%s: %d", ev.Type(), code)
				}
			}()
		}
	}
	wg.Wait()
	for i := range n {
		if s := status(t, svc, fmt.Sprintf("race-%d/sms", i)); s != "cancelled" {
			t.Fatalf("race-%d/sms is %q after its tasks closed", i, s)
		}
	}
}
