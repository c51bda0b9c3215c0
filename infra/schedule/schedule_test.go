package schedule_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/schedule"
)

var t0 = time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)

// Only what is due is claimed, in due order, and a claimed id is not
// handed out again while its lease runs.
func TestClaimTakesOnlyDueIdsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, s := mustOpen(t)
	if err := s.Add(ctx,
		schedule.Entry{ID: "late", Due: t0.Add(time.Hour)},
		schedule.Entry{ID: "b", Due: t0.Add(-time.Minute)},
		schedule.Entry{ID: "a", Due: t0.Add(-time.Hour)},
		schedule.Entry{ID: "now", Due: t0},
	); err != nil {
		t.Fatal(err)
	}
	got, err := s.Claim(ctx, t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "now"}; !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	again, err := s.Claim(ctx, t0.Add(time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("claimed again within the lease: %v", again)
	}
	sched, claimed, err := s.Len(ctx)
	if err != nil || sched != 1 || claimed != 3 {
		t.Fatalf("len: %d scheduled, %d claimed, %v", sched, claimed, err)
	}
	if err := s.Ack(ctx, got...); err != nil {
		t.Fatal(err)
	}
	if _, claimed, _ = s.Len(ctx); claimed != 0 {
		t.Fatalf("%d claims left after ack", claimed)
	}
}

// A claim that is never acknowledged (the claimer crashed) is handed out
// again once its lease has run out, to exactly one caller.
func TestExpiredClaimIsHandedOutAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, s := mustOpen(t)
	s.Lease = 30 * time.Second
	if err := s.Add(ctx, schedule.Entry{ID: "r1", Due: t0}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Claim(ctx, t0, 10); !slices.Equal(got, []string{"r1"}) {
		t.Fatalf("first claim: %v", got)
	}
	if got, _ := s.Claim(ctx, t0.Add(29*time.Second), 10); len(got) != 0 {
		t.Fatalf("claimed inside the lease: %v", got)
	}
	if got, _ := s.Claim(ctx, t0.Add(31*time.Second), 10); !slices.Equal(got, []string{"r1"}) {
		t.Fatalf("after the lease: %v", got)
	}
	if got, _ := s.Claim(ctx, t0.Add(32*time.Second), 10); len(got) != 0 {
		t.Fatalf("re-claimed twice: %v", got)
	}
}

// Many concurrent claimers, each with its own connection, share out the
// due ids: every id goes to exactly one of them.
func TestConcurrentClaimersNeverShareAnId(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, s := mustOpen(t)
	const n = 2000
	entries := make([]schedule.Entry, n)
	for i := range entries {
		entries[i] = schedule.Entry{ID: fmt.Sprintf("r%05d", i), Due: t0.Add(-time.Duration(i) * time.Millisecond)}
	}
	if err := s.Add(ctx, entries...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			for {
				got, err := s.Claim(ctx, t0, 17)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, id := range got {
					seen[id]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct ids, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("%s claimed %d times", id, c)
		}
	}
}

// Losing the Redis data clears the marker; a rebuild from Postgres puts
// back every scheduled row (and none that fired or was cancelled) and sets
// the marker again.
func TestRebuildFromPostgresAfterLosingRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, s := mustOpen(t)
	pool, err := pgxpool.New(ctx, databaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	schema := randomName("schedtest_")
	if _, err := pool.Exec(ctx, `CREATE SCHEMA `+schema+`; CREATE TABLE `+schema+`.reminders (id text PRIMARY KEY, due_at timestamptz NOT NULL, status text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	defer pool.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	_, err = pool.Exec(ctx, `INSERT INTO `+schema+`.reminders VALUES
		('s1', $1, 'scheduled'), ('s2', $2, 'scheduled'), ('f1', $1, 'fired'), ('c1', $1, 'cancelled')`, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := schedule.RebuildFromPostgres(ctx, s, pool, schema+".reminders"); err != nil || n != 2 {
		t.Fatalf("first rebuild: %d, %v", n, err)
	}
	if ok, _ := s.Built(ctx); !ok {
		t.Fatal("no marker after rebuild")
	}
	if err := s.Drop(ctx); err != nil { // what FLUSHALL does to these keys
		t.Fatal(err)
	}
	if ok, _ := s.Built(ctx); ok {
		t.Fatal("marker survived the loss")
	}
	if n, err := schedule.RebuildFromPostgres(ctx, s, pool, schema+".reminders"); err != nil || n != 2 {
		t.Fatalf("rebuild: %d, %v", n, err)
	}
	for id, want := range map[string]time.Time{"s1": t0, "s2": t0.Add(time.Hour)} {
		due, ok, err := s.Due(ctx, id)
		if err != nil || !ok || !due.Equal(want) {
			t.Fatalf("%s: %v %v %v, want %v", id, due, ok, err, want)
		}
	}
	for _, id := range []string{"f1", "c1"} {
		if _, ok, _ := s.Due(ctx, id); ok {
			t.Fatalf("%s is back on the schedule", id)
		}
	}
}

func TestPrefixFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ url, want string }{
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "nr:{test:reminder}:"},
		{"postgres://u@h/nr_e2e_1", "nr:{nr_e2e_1:reminder}:"},
		{"", "nr:{default:reminder}:"},
	} {
		if got := schedule.Prefix(tc.url, "reminder"); got != tc.want {
			t.Errorf("Prefix(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}
