package cache_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/registers/client"
	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
)

var ref = registers.NewMonth(2025, 5)

var (
	dataOnce sync.Once
	data     *synth.Dataset
	dataErr  error
)

// dataset is one synthetic Denmark shared by the tests (read only).
func dataset(tb testing.TB) *synth.Dataset {
	dataOnce.Do(func() {
		cfg := synth.DefaultConfig(7, ref)
		cfg.Persons, cfg.Companies = synth.MinPersons, synth.MinCompanies
		data, dataErr = synth.Generate(cfg)
	})
	if dataErr != nil {
		tb.Fatal(dataErr)
	}
	return data
}

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// newRedis returns a client of the shared Redis and a prefix no other test
// uses; keys under it are dropped when the test ends.
func newRedis(tb testing.TB) (*redis.Client, string) {
	rdb, err := cache.NewClient(redisURL())
	if err != nil {
		tb.Fatal(err)
	}
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("redis at %s: %v", redisURL(), err)
	}
	prefix := fmt.Sprintf("test:cache:%x:", rand.Uint64())
	tb.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
		rdb.Close()
	})
	return rdb, prefix
}

// counting counts the calls that reach the register.
type counting struct {
	cache.Source
	persons, companies, punits, income atomic.Int64
}

func (c *counting) Person(ctx context.Context, cpr ids.CPR) (registers.Person, error) {
	c.persons.Add(1)
	return c.Source.Person(ctx, cpr)
}

func (c *counting) Company(ctx context.Context, cvr ids.CVR) (registers.Company, error) {
	c.companies.Add(1)
	return c.Source.Company(ctx, cvr)
}

func (c *counting) PUnit(ctx context.Context, p ids.PNumber) (registers.PUnit, error) {
	c.punits.Add(1)
	return c.Source.PUnit(ctx, p)
}

func (c *counting) Income(ctx context.Context, cpr ids.CPR, from, to registers.Month) ([]registers.IncomeMonth, error) {
	c.income.Add(1)
	return c.Source.Income(ctx, cpr, from, to)
}

func persona(key string) synth.Persona {
	p, ok := synth.PersonaByKey(key)
	if !ok {
		panic("no persona " + key)
	}
	return p
}

func TestSecondLookupIsAHitAndEqualsTheRegister(t *testing.T) {
	t.Parallel()
	rdb, prefix := newRedis(t)
	src := &counting{Source: dataset(t)}
	c := cache.New(rdb, src, cache.Options{Prefix: prefix, KeySecret: []byte("k")})
	ctx := context.Background()
	emp, moved := persona(synth.PersonaEmployee), persona(synth.PersonaMoved)
	seasonal := persona(synth.PersonaSeasonalEmployer) // a p-unit of another company than emp's
	from, to := ref.AddMonths(-6), ref.AddMonths(-1)

	tests := []struct {
		name  string
		calls *atomic.Int64
		get   func() (any, error)
		want  func() (any, error)
	}{
		{"person", &src.persons,
			func() (any, error) { return c.Person(ctx, moved.CPR) },
			func() (any, error) { return dataset(t).Person(ctx, moved.CPR) }},
		{"company with p-units", &src.companies,
			func() (any, error) { return c.Company(ctx, emp.CVR) },
			func() (any, error) { return dataset(t).Company(ctx, emp.CVR) }},
		{"p-unit", &src.punits,
			func() (any, error) { return c.PUnit(ctx, seasonal.PNumber) },
			func() (any, error) { return dataset(t).PUnit(ctx, seasonal.PNumber) }},
		{"income", &src.income,
			func() (any, error) { return c.Income(ctx, emp.CPR, from, to) },
			func() (any, error) { return dataset(t).Income(ctx, emp.CPR, from, to) }},
	}
	for _, tc := range tests {
		want, err := tc.want()
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			got, err := tc.get()
			if err != nil {
				t.Fatalf("%s #%d: %v", tc.name, i, err)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Fatalf("%s #%d: cached answer differs from the register:\n got %+v\nwant %+v", tc.name, i, got, want)
			}
		}
		if n := tc.calls.Load(); n != 1 {
			t.Errorf("%s: register called %d times for 3 lookups, want 1", tc.name, n)
		}
	}
	if s := c.Stats(); s.Hits != 8 || s.Misses != 4 || s.Failures != 0 {
		t.Errorf("stats = %+v, want 8 hits, 4 misses, no failures", s)
	}
	// No CPR number in any key.
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		for _, p := range []synth.Persona{emp, moved} {
			if containsCPR(k, p.CPR) {
				t.Errorf("key %q holds a CPR number", k)
			}
		}
	}
}

func containsCPR(s string, cpr ids.CPR) bool {
	n := cpr.String()
	for i := 0; i+len(n) <= len(s); i++ {
		if s[i:i+len(n)] == n {
			return true
		}
	}
	return false
}

func TestIncomePeriodsAreCachedApart(t *testing.T) {
	t.Parallel()
	rdb, prefix := newRedis(t)
	src := &counting{Source: dataset(t)}
	c := cache.New(rdb, src, cache.Options{Prefix: prefix})
	ctx := context.Background()
	cpr := persona(synth.PersonaEmployee).CPR
	a, err := c.Income(ctx, cpr, ref.AddMonths(-12), ref.AddMonths(-1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Income(ctx, cpr, ref.AddMonths(-3), ref.AddMonths(-1))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) <= len(b) || len(b) == 0 {
		t.Fatalf("12 months gave %d rows, 3 months %d", len(a), len(b))
	}
	if n := src.income.Load(); n != 2 {
		t.Fatalf("two periods: register called %d times, want 2", n)
	}
}

func TestNotFoundAndUnavailableAreNotCached(t *testing.T) {
	t.Parallel()
	rdb, prefix := newRedis(t)
	si := standin.New(dataset(t))
	srv := httptest.NewServer(si)
	t.Cleanup(srv.Close)
	cl, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := cache.New(rdb, cl, cache.Options{Prefix: prefix})
	ctx := context.Background()
	unknown := ids.MustCPR("0101010000")
	for range 2 {
		if _, err := c.Person(ctx, unknown); !errors.Is(err, registers.ErrNotFound) {
			t.Fatalf("unknown person: %v, want ErrNotFound", err)
		}
	}
	if s := c.Stats(); s.Misses != 2 {
		t.Fatalf("not-found must not be cached: %+v", s)
	}

	emp := persona(synth.PersonaEmployee)
	if _, err := c.Person(ctx, emp.CPR); err != nil { // now cached
		t.Fatal(err)
	}
	si.SetDown(true)
	t.Cleanup(func() { si.SetDown(false) })
	if _, err := c.Person(ctx, emp.CPR); err != nil {
		t.Fatalf("a cached person must be answered while CPR is down: %v", err)
	}
	if _, err := c.Company(ctx, emp.CVR); !errors.Is(err, registers.ErrUnavailable) {
		t.Fatalf("uncached company with CVR down: %v, want ErrUnavailable", err)
	}
	si.SetDown(false)
	if _, err := c.Company(ctx, emp.CVR); err != nil {
		t.Fatalf("an unavailable answer must not be cached: %v", err)
	}
}

func TestInvalidation(t *testing.T) {
	t.Parallel()
	rdb, prefix := newRedis(t)
	src := &counting{Source: dataset(t)}
	c := cache.New(rdb, src, cache.Options{Prefix: prefix})
	ctx := context.Background()
	emp := persona(synth.PersonaEmployee)
	co, err := dataset(t).Company(ctx, emp.CVR)
	if err != nil || len(co.PUnits) < 2 {
		t.Fatalf("demo employer: %v %d p-units", err, len(co.PUnits))
	}
	from, to := ref.AddMonths(-6), ref.AddMonths(-1)
	warm := func() {
		t.Helper()
		if _, err := c.Person(ctx, emp.CPR); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Income(ctx, emp.CPR, from, to); err != nil {
			t.Fatal(err)
		}
		for _, u := range co.PUnits {
			if _, err := c.PUnit(ctx, u.PNumber); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.Company(ctx, emp.CVR); err != nil {
			t.Fatal(err)
		}
	}
	counts := func() [4]int64 {
		return [4]int64{src.persons.Load(), src.income.Load(), src.companies.Load(), src.punits.Load()}
	}
	warm()
	base := counts()
	if base != [4]int64{1, 1, 1, int64(len(co.PUnits))} {
		t.Fatalf("after warming: %v", base)
	}
	tests := []struct {
		name       string
		invalidate func() error
		reloaded   [4]int64
	}{
		{"person drops person and income", func() error { return c.InvalidatePerson(ctx, emp.CPR) }, [4]int64{1, 1, 0, 0}},
		{"company drops company and its p-units", func() error { return c.InvalidateCompany(ctx, emp.CVR) }, [4]int64{0, 0, 1, int64(len(co.PUnits))}},
		{"a company read from CVR fills its p-units", func() error {
			if _, err := c.InvalidateAll(ctx); err != nil {
				return err
			}
			_, err := c.Company(ctx, emp.CVR)
			return err
		}, [4]int64{1, 1, 1, 0}},
		{"one p-unit", func() error { return c.InvalidatePUnit(ctx, co.PUnits[1].PNumber) }, [4]int64{0, 0, 0, 1}},
		{"all", func() error { _, err := c.InvalidateAll(ctx); return err }, [4]int64{1, 1, 1, int64(len(co.PUnits))}},
	}
	for _, tc := range tests { // sequential: they share one cache
		before := counts()
		if err := tc.invalidate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		warm()
		after := counts()
		var got [4]int64
		for i := range got {
			got[i] = after[i] - before[i]
		}
		if got != tc.reloaded {
			t.Errorf("%s: register calls (person, income, company, p-unit) = %v, want %v", tc.name, got, tc.reloaded)
		}
	}
}

func TestTTL(t *testing.T) {
	t.Parallel()
	rdb, prefix := newRedis(t)
	src := &counting{Source: dataset(t)}
	c := cache.New(rdb, src, cache.Options{Prefix: prefix, TTL: time.Second})
	ctx := context.Background()
	cpr := persona(synth.PersonaEmployee).CPR
	for range 2 {
		if _, err := c.Person(ctx, cpr); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Income(ctx, cpr, ref.AddMonths(-2), ref.AddMonths(-1)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := c.Person(ctx, cpr); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Income(ctx, cpr, ref.AddMonths(-2), ref.AddMonths(-1)); err != nil {
		t.Fatal(err)
	}
	if p, i := src.persons.Load(), src.income.Load(); p != 2 || i != 2 {
		t.Fatalf("after the TTL: register calls person %d income %d, want 2 and 2", p, i)
	}
}

// blackhole accepts connections and never answers: a Redis that hangs.
func blackhole(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// With Redis refusing connections or hanging, lookups still answer from the
// register, quickly, and the breaker stops paying the timeout on every call.
func TestRedisDownStillAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr func(t *testing.T) string
	}{
		{"connection refused", closedPort},
		{"redis hangs", blackhole},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rdb, err := cache.NewClient("redis://" + tc.addr(t) + "/0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { rdb.Close() })
			src := &counting{Source: dataset(t)}
			c := cache.New(rdb, src, cache.Options{Timeout: 100 * time.Millisecond, Backoff: time.Minute})
			ctx := context.Background()
			emp := persona(synth.PersonaEmployee)
			start := time.Now()
			for range 20 {
				p, err := c.Person(ctx, emp.CPR)
				if err != nil || p.CPR != emp.CPR {
					t.Fatalf("lookup with redis down: %v", err)
				}
				if _, err := c.Income(ctx, emp.CPR, ref.AddMonths(-6), ref.AddMonths(-1)); err != nil {
					t.Fatal(err)
				}
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("40 lookups took %s with redis down; the breaker should skip redis", el)
			}
			s := c.Stats()
			if s.Hits != 0 || s.Misses != 40 || s.Failures != 1 || s.Skipped != 39 {
				t.Errorf("stats = %+v, want 40 misses, 1 failure, 39 skipped", s)
			}
			if err := c.InvalidatePerson(ctx, emp.CPR); err == nil {
				t.Error("invalidation with redis down must fail (so it is retried)")
			}
		})
	}
}
