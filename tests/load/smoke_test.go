package load

import (
	"context"
	"os"
	"slices"
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
	if len(res.Failed) > 0 || p.Missing > 0 || res.Unclear() > 0 || p.Rejected > 0 {
		t.Fatalf("%d failed, %d not processed, %d unclear answers, %d rejected (%v)", len(res.Failed), p.Missing, res.Unclear(), p.Rejected, p.Rejections)
	}
}

// Every kind of the mix at once, equally weighted: every blanket accepted,
// decided by its function (none refused: the generator picks people and
// companies the registers and rules accept) and, for the parental-leave
// and subsidy blankets, which always go on (barselsloven § 40 stk. 1 to
// Udbetaling Danmark; seeds/000 § 1 to the municipality), delivered to the
// recipient's stream.
func TestLoadSmokeEveryKind(t *testing.T) {
	benchOnly(t)
	ctx := context.Background()
	mix := load.Mix{}
	for _, k := range load.Kinds {
		if !slices.Contains(load.NoCapKinds, k) { // rejected while the year's cap is unknown (LAB § 133, § 136)
			mix[k] = 1
		}
	}
	res, err := load.Run(ctx, load.Config{BaseURL: stack.Get().URL(), Dataset: stack.Dataset(), Rate: 20, Count: 150, Retry: true, Mix: mix, Seed: uint64(time.Now().UnixNano())})
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Follow(ctx, pool(t), res, 2*time.Minute, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	load.Print(os.Stdout, res, p)
	if len(res.Failed) > 0 || p.Missing > 0 || res.Unclear() > 0 || p.Rejected > 0 {
		t.Fatalf("%d failed, %d not processed, %d unclear answers, %d rejected (%v)", len(res.Failed), p.Missing, res.Unclear(), p.Rejected, p.Rejections)
	}
	for _, k := range load.Kinds {
		if k.Function() == "" || k == load.KindRecovery || slices.Contains(load.NoCapKinds, k) {
			continue // answers are not blankets; recoveries follow reports (as many as came due); no cap, not sent
		}
		f := p.Kinds[k]
		if f == nil || f.Accepted == 0 {
			t.Errorf("no %s accepted in %d submissions", k, res.Sent)
			continue
		}
		if k.Function() != "sickness" && f.Delivered != f.Decided {
			t.Errorf("%s: %d decided, %d delivered to the recipient's stream", k, f.Decided, f.Delivered)
		}
	}
}
