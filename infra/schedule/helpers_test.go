package schedule_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"

	"nemrefusion.dk/infra/schedule"
)

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

func databaseURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// mustOpen returns a client of the test Redis and a schedule under a
// prefix no other test (or helper) uses; both are cleaned up.
func mustOpen(tb testing.TB) (*redis.Client, *schedule.Schedule) {
	tb.Helper()
	rdb, err := schedule.Open(context.Background(), redisURL())
	if err != nil {
		tb.Fatal(err)
	}
	s := schedule.New(rdb, "nrtest:{"+randomName("sched")+"}:")
	tb.Cleanup(func() {
		_ = s.Drop(context.Background())
		rdb.Close()
	})
	return rdb, s
}
