package lookup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/lookup/lookup"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/registers/client"
	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

var ref = registers.NewMonth(2025, 5)

var (
	dataOnce sync.Once
	data     *synth.Dataset
	dataErr  error
)

func dataset(tb testing.TB) *synth.Dataset {
	dataOnce.Do(func() {
		cfg := synth.DefaultConfig(3, ref)
		cfg.Persons, cfg.Companies = synth.MinPersons, synth.MinCompanies
		data, dataErr = synth.Generate(cfg)
	})
	if dataErr != nil {
		tb.Fatal(dataErr)
	}
	return data
}

func persona(key string) synth.Persona {
	p, ok := synth.PersonaByKey(key)
	if !ok {
		panic("no persona " + key)
	}
	return p
}

type fixture struct {
	*runtimetest.Kit
	standin *standin.Server
	cache   *cache.Cache
	lookup  *lookup.Service
}

type options struct {
	redisURL string // default the shared Redis
}

func start(t *testing.T, o options) *fixture {
	t.Helper()
	f := &fixture{Kit: runtimetest.Start(t, runtimetest.Options{Name: "lookup"}), standin: standin.New(dataset(t))}
	f.Svc.Pub.MaxElapsed = 300 * time.Millisecond
	regSrv := httptest.NewServer(f.standin)
	t.Cleanup(regSrv.Close)

	redisURL := o.redisURL
	if redisURL == "" {
		redisURL = f.Base.RedisURL
	}
	rdb, err := cache.NewClient(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("test:lookup:%x:", rand.Uint64())
	t.Cleanup(func() {
		if keys, _ := rdb.Keys(context.Background(), prefix+"*").Result(); len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
		rdb.Close()
	})
	cl, err := client.New(regSrv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// A random key secret per test gives every test its own ledger streams.
	f.cache = cache.New(rdb, cl, cache.Options{Prefix: prefix, KeySecret: fmt.Appendf(nil, "%x", rand.Uint64()), Timeout: time.Second})
	v := f.Verifier(t)
	v.Ledger = f.Svc.DB
	f.lookup = lookup.Register(f.Svc, f.cache, v)
	// Relations are checked against the dataset's reference month.
	f.lookup.Now = func() time.Time { return ref.First().AddDate(0, 0, 14) }
	return f
}

// request builds a lookup.requested event as a function would send it.
func request(t *testing.T, data any) cloudevents.Event {
	t.Helper()
	ev, err := events.New(events.LookupRequested, "sickness", fmt.Sprintf("abs-%d", rand.Uint64()), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// post delivers ev as the broker does and returns the status.
func (f *fixture) post(t *testing.T, ev cloudevents.Event) int {
	t.Helper()
	code, _ := f.Post(t, ev)
	return code
}

// get calls an HTTP lookup as the persona (no token when persona is "").
func (f *fixture) get(t *testing.T, persona, path string) (int, http.Header, map[string]any) {
	t.Helper()
	tok := ""
	if persona != "" {
		tok = f.PersonaToken(t, persona)
	}
	r := f.Call(t, http.MethodGet, path, tok, nil)
	var out map[string]any
	if len(bytes.TrimSpace(r.Body)) > 0 {
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("GET %s: answer is not a JSON object: %d %s", path, r.Status, r.Body)
		}
	}
	return r.Status, r.Header, out
}

func (f *fixture) entries(t *testing.T, stream string) []ledger.Record {
	t.Helper()
	return f.Ledger(t, stream)
}

func reasonOf(t *testing.T, r ledger.Record) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(r.Reason, &m); err != nil {
		t.Fatalf("reason %s: %v", r.Reason, err)
	}
	return m
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
