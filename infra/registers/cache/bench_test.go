package cache_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/registers/client"
	"nemrefusion.dk/infra/registers/standin"
)

// BenchmarkPersonLookup compares person lookups answered from the Redis
// cache (hit) with lookups that miss and go to the register, here the
// stand-in over HTTP on loopback (a real register is slower still), in
// the same run and alternating, and reports both rates and hit/miss:
//
//	go test -run x -bench PersonLookup -benchtime 2s ./registers/cache/
func BenchmarkPersonLookup(b *testing.B) {
	rdb, prefix := newRedis(b)
	ds := dataset(b)
	srv := httptest.NewServer(standin.New(ds))
	b.Cleanup(srv.Close)
	cl, err := client.New(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	persons := ds.Persons
	hot := cache.New(rdb, cl, cache.Options{Prefix: prefix + "hot:", TTL: 5 * time.Minute})
	for _, p := range persons { // warm: every hit below is a hit
		if _, err := hot.Person(ctx, p.CPR); err != nil {
			b.Fatal(err)
		}
	}
	// A miss uses a cache whose prefix changes with every pass over the
	// persons, so every lookup misses, and stores its answer as a real miss
	// does.
	var passes sync.Map
	cold := func(pass int) *cache.Cache {
		if c, ok := passes.Load(pass); ok {
			return c.(*cache.Cache)
		}
		c, _ := passes.LoadOrStore(pass, cache.New(rdb, cl, cache.Options{Prefix: fmt.Sprintf("%scold%d:", prefix, pass), TTL: time.Minute}))
		return c.(*cache.Cache)
	}
	var missRun atomic.Int64
	for _, c := range []int{1, 8} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			run := missRun.Add(1) * 1_000_000
			hit := func(i int64) error {
				_, err := hot.Person(ctx, persons[i%int64(len(persons))].CPR)
				return err
			}
			miss := func(i int64) error {
				n := int64(len(persons))
				_, err := cold(int(run+i/n)).Person(ctx, persons[i%n].CPR)
				return err
			}
			var th, tm time.Duration
			const rounds = 4
			b.ResetTimer()
			for r := range rounds {
				n := b.N / rounds
				if r == rounds-1 {
					n = b.N - (rounds-1)*(b.N/rounds)
				}
				if n == 0 {
					continue
				}
				th += runOps(b, n, c, hit)
				tm += runOps(b, n, c, func(i int64) error { return miss(int64(r)*int64(b.N) + i) })
			}
			b.StopTimer()
			hs, ms := float64(b.N)/th.Seconds(), float64(b.N)/tm.Seconds()
			b.ReportMetric(hs, "hit-lookups/s")
			b.ReportMetric(ms, "miss-lookups/s")
			b.ReportMetric(hs/ms, "hit/miss")
			b.ReportMetric(th.Seconds()*1e6/float64(b.N)*float64(c), "hit-µs/lookup")
			b.ReportMetric(tm.Seconds()*1e6/float64(b.N)*float64(c), "miss-µs/lookup")
			b.ReportMetric(0, "ns/op")
			if s := hot.Stats(); s.Failures != 0 {
				b.Fatalf("redis failed during the benchmark: %+v", s)
			}
		})
	}
}

// runOps runs n ops on c goroutines and returns the elapsed time.
func runOps(b *testing.B, n, c int, op func(i int64) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
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
