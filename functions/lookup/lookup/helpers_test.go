package lookup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/lookup/lookup"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/registers/client"
	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime"
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

// sink is a stand-in broker ingress that records what it accepts.
type sink struct {
	mu  sync.Mutex
	got []cloudevents.Event
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.got = append(s.got, *ev)
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// causedBy returns the events caused by the event with id.
func (s *sink) causedBy(id string) []cloudevents.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cloudevents.Event
	for _, ev := range s.got {
		if events.Str(ev, events.ExtCausationID) == id {
			out = append(out, ev)
		}
	}
	return out
}

type fixture struct {
	svc     *runtime.Service
	srv     *httptest.Server
	sink    *sink
	standin *standin.Server
	cache   *cache.Cache
	issuer  *devissuer.Issuer
}

type options struct {
	redisURL string // default the shared Redis
}

func start(t *testing.T, o options) *fixture {
	t.Helper()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	f := &fixture{sink: &sink{}, standin: standin.New(dataset(t))}
	sinkSrv := httptest.NewServer(f.sink)
	t.Cleanup(sinkSrv.Close)
	base.Sink = sinkSrv.URL
	regSrv := httptest.NewServer(f.standin)
	t.Cleanup(regSrv.Close)

	// The development issuer on its own server, as the local stack serves it.
	mux := http.NewServeMux()
	issSrv := httptest.NewServer(mux)
	t.Cleanup(issSrv.Close)
	iss, err := devissuer.New(devissuer.Config{Issuer: issSrv.URL + "/dev-issuer"})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/dev-issuer/", iss)
	f.issuer = iss

	name := fmt.Sprintf("lookup_test_%d", rand.Uint32())
	var logs bytes.Buffer
	svc, err := runtime.New(context.Background(), runtime.Options{Name: name, Base: base, Logger: runtime.NewLogger(&logs, 0, name)})
	if err != nil {
		t.Fatalf("runtime.New: %v", err)
	}
	svc.Pub.MaxElapsed = 300 * time.Millisecond
	t.Cleanup(func() {
		_, _ = svc.DB.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		svc.DB.Close()
		if t.Failed() {
			t.Logf("function log:\n%s", logs.String())
		}
	})
	f.svc = svc

	redisURL := o.redisURL
	if redisURL == "" {
		redisURL = base.RedisURL
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
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	v.Ledger = svc.DB
	lookup.Register(svc, f.cache, v)
	f.srv = httptest.NewServer(svc.Mux)
	t.Cleanup(f.srv.Close)
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
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// get calls an HTTP lookup as the persona (no token when persona is "").
func (f *fixture) get(t *testing.T, persona, path string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if persona != "" {
		tok, err := f.issuer.PersonaToken(persona)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("GET %s: answer is not a JSON object: %d %s", path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func (f *fixture) entries(t *testing.T, stream string) []ledger.Record {
	t.Helper()
	recs, err := ledger.Stream(context.Background(), f.svc.DB, stream, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
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
