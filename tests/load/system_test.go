package load

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/load"
	"nemrefusion.dk/tests/stack"
)

// nationalYear is about how many submissions NemRefusion takes in a year.
const nationalYear = 2_000_000

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// step is one rate of the step test.
type step struct {
	rate, achieved float64
	p50, p95, p99  time.Duration
	failed         int
	missing        int
	drained        time.Duration
	lagP99         time.Duration
	ok             bool
	why            string
}

// TestSystemBench measures the local stack as make bench-system reports it:
//
//	(a) the fastest sustained end-to-end rate with p99 intake latency under
//	    200 ms: the rate is stepped up (NR_BENCH_START, ×1.5 per step of
//	    NR_BENCH_STEP) until p99 reaches 200 ms, the client cannot keep the
//	    rate, or the pipeline does not drain within a quarter of a step;
//	(b) the time to push NR_BENCH_N submissions (default 200000) end to end
//	    as fast as the client's 16 workers go, and from it a national year;
//	(c) the raw ledger append rate in the same database, same run.
func TestSystemBench(t *testing.T) {
	benchOnly(t)
	ctx := context.Background()
	db := pool(t)
	url, data := stack.Get().URL(), stack.Dataset()
	out := os.Stdout

	// (c) first, on a quiet database: raw ledger appends, 8 at a time.
	appendRate := ledgerAppendRate(t, db, envDuration("NR_BENCH_LEDGER", 5*time.Second))
	fmt.Fprintf(out, "(c) raw ledger appends (ledger.Append, 8 at a time): %.0f/s\n", appendRate)

	// (a) the step test.
	limit := 200 * time.Millisecond
	stepFor := envDuration("NR_BENCH_STEP", 20*time.Second)
	rate := float64(envInt("NR_BENCH_START", 2))
	var steps []step
	best := 0.0
	for range envInt("NR_BENCH_STEPS", 12) {
		res, err := load.Run(ctx, load.Config{BaseURL: url, Dataset: data, Rate: rate, Duration: stepFor, Workers: 64})
		if err != nil {
			t.Fatal(err)
		}
		p, err := load.Follow(ctx, db, res, stepFor+time.Minute, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		tot := res.Stats.Total(load.EventsEndpoint)
		s := step{rate: rate, achieved: res.Throughput(), p50: tot.Percentile(.5), p95: tot.Percentile(.95), p99: tot.Percentile(.99),
			failed: len(res.Failed), missing: p.Missing, drained: p.Drained}
		_, _, s.lagP99, _ = load.Quantiles(p.Lag)
		switch {
		case s.p99 >= limit:
			s.why = "p99 ≥ 200 ms"
		case s.achieved < 0.95*rate:
			s.why = "client could not keep the rate"
		case s.failed > 0:
			s.why = fmt.Sprintf("%d refused", s.failed)
		case s.missing > 0 || s.drained > max(5*time.Second, stepFor/4):
			s.why = "pipeline did not keep up"
		default:
			s.ok, best = true, rate
		}
		steps = append(steps, s)
		fmt.Fprintf(out, "step %.1f/s: achieved %.1f/s, intake p99 %s, drained %s after, %s\n", rate, s.achieved, s.p99, s.drained.Round(time.Millisecond), orOK(s.why))
		if !s.ok {
			break
		}
		rate *= 1.5
	}

	// (b) N submissions as fast as possible, end to end.
	n := envInt("NR_BENCH_N", 200_000)
	var before int64
	_ = db.QueryRow(ctx, `SELECT count(*) FROM ledger.entries`).Scan(&before)
	// Progress comes about once a second; a line per 5000 sent (with the
	// time since the start), so a run stopped early still tells its rate.
	printed, bStart := 0, time.Now()
	res, err := load.Run(ctx, load.Config{BaseURL: url, Dataset: data, Count: n, Workers: 16, Retry: true,
		Progress: func(sent, acc int) {
			if sent/5000 > printed {
				printed = sent / 5000
				fmt.Fprintf(out, "  %s: %d sent, %d accepted\n", time.Since(bStart).Round(time.Second), sent, acc)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Follow(ctx, db, res, max(10*time.Minute, time.Duration(n)*50*time.Millisecond), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var after int64
	_ = db.QueryRow(ctx, `SELECT count(*) FROM ledger.entries`).Scan(&after)
	load.Print(out, res, p)
	e2e := p.LastDelivery.Sub(res.Started)
	e2eRate := float64(p.Delivered) / e2e.Seconds()
	tot := res.Stats.Total(load.EventsEndpoint)

	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nmake bench-system\t\t")
	fmt.Fprintln(tw, "(a) step\trate/s\tachieved/s\tintake p50\tp95\tp99\te2e lag p99\tdrained after\tresult")
	for _, s := range steps {
		fmt.Fprintf(tw, "\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\n", s.rate, s.achieved, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.lagP99), ms(s.drained), orOK(s.why))
	}
	tw.Flush()
	fmt.Fprintf(out, "(a) fastest sustained end-to-end rate with intake p99 < 200 ms: %.1f submissions/s\n", best)
	fmt.Fprintf(out, "(b) %d submissions: sent in %s (%.1f/s, intake p99 %s); %d processed, %d delivered; first post to last delivery %s = %.1f deliveries/s\n",
		n, res.Elapsed().Round(time.Second), res.Throughput(), ms(tot.Percentile(.99)), p.Processed, p.Delivered, e2e.Round(time.Second), e2eRate)
	fmt.Fprintf(out, "    ledger entries per submission: %.2f\n", float64(after-before)/float64(max(len(res.Accepted), 1)))
	fmt.Fprintf(out, "(c) raw ledger appends (ledger.Append, 8 at a time, same database, same run): %.0f/s; end-to-end rate / append rate = %.3f\n", appendRate, e2eRate/appendRate)
	if e2eRate > 0 {
		fmt.Fprintf(out, "extrapolation: 200000 submissions ≈ %s; a national year (%d) ≈ %s at %.1f/s (%.1f/s averaged over a year's working hours would suffice: %d / (250 days × 8 h))\n",
			(time.Duration(200_000/e2eRate) * time.Second).Round(time.Minute), nationalYear, (time.Duration(nationalYear/e2eRate) * time.Second).Round(time.Minute), e2eRate,
			float64(nationalYear)/(250*8*3600), nationalYear)
	}
	if len(res.Failed) > 0 || p.Missing > 0 {
		t.Errorf("%d never accepted, %d accepted but not processed", len(res.Failed), p.Missing)
	}
}

func orOK(why string) string {
	if why == "" {
		return "ok"
	}
	return why
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond)) }

// ledgerAppendRate appends entries to fresh streams with 8 goroutines for d
// and returns appends per second.
func ledgerAppendRate(t *testing.T, db *pgxpool.Pool, d time.Duration) float64 {
	t.Helper()
	ctx := context.Background()
	run := uuid.NewString()
	payload, _ := json.Marshal(map[string]any{"cpr": "0000000000", "note": strings.Repeat("x", 600)})
	var n atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	stop := time.Now().Add(d)
	start := time.Now()
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				_, err := ledger.Append(ctx, db, ledger.Entry{Stream: fmt.Sprintf("bench-%s-%d-%d", run, w, i), Actor: "bench", Role: "system",
					EventType: "dk.nemrefusion.sickness.employer.reported.v1", EventSource: "/bench", EventID: fmt.Sprintf("%d-%d", w, i),
					Reason: json.RawMessage(`{"rules":["sdl-30-1"]}`), Payload: payload})
				if err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatalf("ledger append: %v", err)
	}
	return float64(n.Load()) / time.Since(start).Seconds()
}
