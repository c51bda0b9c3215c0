package load

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/load"
	"nemrefusion.dk/tests/stack"
)

func benchOnly(t *testing.T) {
	t.Helper()
	if os.Getenv("NR_BENCH_SYSTEM") == "" {
		t.Skip("system benchmark: make bench-system (NR_BENCH_SYSTEM=1)")
	}
}

func pool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// A short run of the default mix: every submission accepted and processed.
func TestLoadSmoke(t *testing.T) {
	benchOnly(t)
	ctx := context.Background()
	res, err := load.Run(ctx, load.Config{BaseURL: stack.Get().URL(), Dataset: stack.Dataset(), Rate: 20, Count: 100, Retry: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Follow(ctx, pool(t), res, time.Minute, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	load.Print(os.Stdout, res, p)
	if len(res.Failed) > 0 || p.Missing > 0 || res.Unclear() > 0 {
		t.Fatalf("%d failed, %d not processed, %d unclear answers", len(res.Failed), p.Missing, res.Unclear())
	}
}
