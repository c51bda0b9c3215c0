package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/schedule"
)

// nrctl reminders rebuild puts every scheduled reminder of the database's
// reminder.reminders table back on the Redis schedule under the prefix the
// function derives from the same database, and none that fired.
func TestRemindersRebuild(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, pool := newLedgerDB(t)
	if _, err := pool.Exec(ctx, `CREATE SCHEMA reminder; CREATE TABLE reminder.reminders (id text PRIMARY KEY, due_at timestamptz NOT NULL, status text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	if _, err := pool.Exec(ctx, `INSERT INTO reminder.reminders VALUES ('a', $1, 'scheduled'), ('b', $1, 'fired'), ('c', $1, 'scheduled')`, due); err != nil {
		t.Fatal(err)
	}
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = defaultRedisURL
	}
	vars := map[string]string{"DATABASE_URL": url, "REDIS_URL": redisURL}
	rdb, err := schedule.Open(ctx, redisURL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	s := schedule.New(rdb, schedule.Prefix(url, "reminder"))
	defer s.Drop(context.Background())

	r := nrctl(t, vars, "reminders", "rebuild")
	if r.code != 0 || !strings.Contains(r.stdout, "rebuilt 2 scheduled reminders") {
		t.Fatalf("rebuild: %+v", r)
	}
	for id, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, ok, err := s.Due(ctx, id); err != nil || ok != want {
			t.Fatalf("%s on the schedule: %v (%v), want %v", id, ok, err, want)
		}
	}
	r = nrctl(t, vars, "reminders", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "2 scheduled, 1 fired") || !strings.Contains(r.stdout, "2 on the schedule") {
		t.Fatalf("status: %+v", r)
	}
	if r := nrctl(t, vars, "reminders", "nonsense"); r.code != 2 {
		t.Fatalf("unknown subcommand: %+v", r)
	}
}
