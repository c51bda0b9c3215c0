package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

// benchConcurrency is how many submissions (and, for the baseline, ledger
// appends) are in flight at once.
const benchConcurrency = 8

// benchSeq numbers the generated reports of the whole process: the testing
// package calls a benchmark several times (b.N = 1, 100, …) against the same
// database, and a counter that restarted with each call repeated the first
// call's (person, first day) pairs, which sickness refuses as
// absence.duplicate. Each pair is used once: the person cycles through the
// personas, the first day moves one day back per round of them, so no two
// reports of a person share a first day; benchDays bounds how far back.
var benchSeq atomic.Int64

const benchDays = 900

// BenchmarkSicknessSubmissions measures employer reports per second through
// the whole path — intake (token check, submission row, ledger entry,
// outbox), the broker, the sickness function (registers, rules, case row,
// two ledger entries, eight outbox events) — until every decision is
// stored, against raw ledger appends into the same database in the same
// run at the same concurrency, and reports both rates and their ratio:
//
//	go test -run '^$' -bench Sickness ./tests/e2e/
func BenchmarkSicknessSubmissions(b *testing.B) {
	t := b
	tok := tokenB(b)
	personas := []string{synth.PersonaEmployee, synth.PersonaEnglish, synth.PersonaNemSMS, synth.PersonaDigitalPostExempt, synth.PersonaMoved, synth.PersonaFailsTotalHours}
	start := time.Now().AddDate(0, 0, -1)
	body := func() string {
		i := int(benchSeq.Add(1))
		if i >= len(personas)*benchDays {
			t.Fatalf("the benchmark ran out of unique (person, first day) pairs after %d reports", i)
		}
		p, _ := synth.PersonaByKey(personas[i%len(personas)])
		r := employeeReport(t, start.AddDate(0, 0, -(i/len(personas))))
		r.CPR, r.PNumber = p.CPR.String(), p.PNumber.String()
		return employerBlanket(t, uuid.NewString(), "", r)
	}
	pool := benchPool(b)
	ctx := context.Background()
	decided := func() int64 {
		var n int64
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM sickness.blanket_submissions`).Scan(&n)
		return n
	}

	var subTime, ledgerTime time.Duration
	b.ResetTimer()
	// Submissions: post b.N blankets, then wait until the function decided them all.
	before := decided()
	t0 := time.Now()
	parallel(b.N, func() error {
		code, out := postEventAsB(b, tok, body())
		if code != http.StatusAccepted {
			return fmt.Errorf("post: %d %v", code, out)
		}
		return nil
	}, b)
	for decided()-before < int64(b.N) {
		if time.Since(t0) > 5*time.Minute {
			b.Fatalf("only %d of %d decided", decided()-before, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	subTime = time.Since(t0)
	var rejected int64
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM sickness.blanket_submissions WHERE outcome <> 'decided'`).Scan(&rejected)
	if rejected > 0 {
		b.Fatalf("%d submissions were rejected: the benchmark measures decided reports", rejected)
	}

	// Baseline: raw ledger appends, one per fresh stream, same concurrency.
	run := uuid.NewString()
	var n atomic.Int64
	t0 = time.Now()
	parallel(b.N, func() error {
		i := n.Add(1)
		_, err := ledger.Append(ctx, pool, ledger.Entry{Stream: fmt.Sprintf("bench-%s-%d", run, i), Actor: "bench", Role: "system",
			EventType: events.SicknessEmployerReported, EventSource: "/bench", EventID: fmt.Sprint(i), Reason: json.RawMessage(`{"rules":["sdl-30-1"]}`),
			Payload: []byte(body())})
		return err
	}, b)
	ledgerTime = time.Since(t0)
	b.StopTimer()

	subs := float64(b.N) / subTime.Seconds()
	appends := float64(b.N) / ledgerTime.Seconds()
	b.ReportMetric(subs, "submissions/s")
	b.ReportMetric(appends, "ledger-appends/s")
	b.ReportMetric(subs/appends, "submissions/ledger")
	b.ReportMetric(0, "ns/op")
}

// parallel runs f n times with benchConcurrency workers.
func parallel(n int, f func() error, b *testing.B) {
	var wg sync.WaitGroup
	var left atomic.Int64
	left.Store(int64(n))
	var firstErr atomic.Value
	for w := 0; w < benchConcurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if err := f(); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		b.Fatal(err)
	}
}

// tokenB gets the employer persona's token from the development issuer.
func tokenB(b *testing.B) string {
	b.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "persona": {devissuer.PersonaEmployer}}
	req, err := http.NewRequest("POST", stack.Get().URL()+"/dev-issuer/token", strings.NewReader(form.Encode()))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(devissuer.CLIClientID, devissuer.CLIClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		b.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

// postEventAsB posts a structured-mode CloudEvent with a bearer token; it
// is safe to call from any goroutine.
func postEventAsB(b *testing.B, tok, body string) (int, string) {
	req, err := http.NewRequest("POST", stack.Get().URL()+"/api/v1/events", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

func benchPool(b *testing.B) *pgxpool.Pool {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}
