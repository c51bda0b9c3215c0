package runtime_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// BenchmarkReceive compares, in alternating rounds of the same run and at
// the same concurrency, a bare net/http handler, a no-op CloudEvents
// receiver (decode and validate the event, answer 202) and the full runtime
// path of one function (inbox dedupe + ledger append + outbox row, commit,
// publish to a sink). It reports each rate and the ratios full/noop and
// noop/bare.
//
//	go test -run '^$' -bench Receive -benchtime 2s ./runtime/
func BenchmarkReceive(b *testing.B) {
	f := start(b)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer bare.Close()
	noop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil || ev.Validate() != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer noop.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	token := runtimetest.DeliveryToken(b, f.Svc.Name) // the broker's token, as every delivery carries

	post := func(url string) func(int64) error {
		return func(int64) error {
			ev, err := events.New(testType, "bench", fmt.Sprintf("s-%d", time.Now().UnixNano()), map[string]string{"mode": "ok"}, nil)
			if err != nil {
				return err
			}
			req, _ := http.NewRequest(http.MethodPost, url, nil)
			if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}
	}
	const c = 8
	paths := []struct {
		name string
		op   func(int64) error
	}{{"bare", post(bare.URL)}, {"noop", post(noop.URL)}, {"full", post(f.URL() + "/")}}
	took := make([]time.Duration, len(paths))
	const rounds = 4
	b.ResetTimer()
	for r := range rounds {
		n := b.N / rounds
		if r == rounds-1 {
			n = b.N - (rounds-1)*(b.N/rounds)
		}
		for i, p := range paths {
			took[i] += run(b, n, c, p.op)
		}
	}
	b.StopTimer()
	rate := func(i int) float64 { return float64(b.N) / took[i].Seconds() }
	b.ReportMetric(rate(0), "bare-req/s")
	b.ReportMetric(rate(1), "noop-req/s")
	b.ReportMetric(rate(2), "full-req/s")
	b.ReportMetric(rate(2)/rate(1), "full/noop")
	b.ReportMetric(rate(1)/rate(0), "noop/bare")
	b.ReportMetric(0, "ns/op")
}

// run does n ops on c goroutines and returns the elapsed time.
func run(b *testing.B, n, c int, op func(int64) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				if err := op(i); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return time.Since(start)
}
