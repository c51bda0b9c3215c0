package broker

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// subscriber is a real HTTP server that records the CloudEvents posted to
// it and answers with what respond says (default 200, no body).
type subscriber struct {
	srv *httptest.Server

	mu       sync.Mutex
	attempts []cloudevents.Event // every request, answered or not
	accepted []cloudevents.Event // requests answered 2xx
	paths    []string
	auths    []string // the Authorization header of every request
	respond  func(n int, ev cloudevents.Event, w http.ResponseWriter) int
}

func newSubscriber(t testing.TB, respond func(n int, ev cloudevents.Event, w http.ResponseWriter) int) *subscriber {
	t.Helper()
	s := &subscriber{respond: respond}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.Header.Get("Ce-Id") == "" {
			http.Error(w, "broker must deliver in binary mode", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		n := len(s.attempts)
		s.attempts = append(s.attempts, *ev)
		s.paths = append(s.paths, r.URL.Path)
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		respond := s.respond
		s.mu.Unlock()
		status := http.StatusOK
		if respond != nil {
			status = respond(n, *ev, w)
		} else {
			w.WriteHeader(status)
		}
		if status >= 200 && status < 300 {
			s.mu.Lock()
			s.accepted = append(s.accepted, *ev)
			s.mu.Unlock()
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *subscriber) setRespond(f func(n int, ev cloudevents.Event, w http.ResponseWriter) int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = f
}

func (s *subscriber) counts() (attempts, accepted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.attempts), len(s.accepted)
}

func (s *subscriber) acceptedEvents() []cloudevents.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]cloudevents.Event(nil), s.accepted...)
}

func (s *subscriber) attemptIDs() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := map[string]int{}
	for _, e := range s.attempts {
		ids[e.ID()]++
	}
	return ids
}

func (s *subscriber) acceptedIDs() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := map[string]int{}
	for _, e := range s.accepted {
		ids[e.ID()]++
	}
	return ids
}

// reply answers with status and a short body.
func reply(status int, body string) func(int, cloudevents.Event, http.ResponseWriter) int {
	return func(_ int, _ cloudevents.Event, w http.ResponseWriter) int {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return status
	}
}

// services is a Resolver over test subscribers by Service name.
func services(subs map[string]*subscriber) Resolver {
	return func(kind, name string) (string, error) {
		s, ok := subs[name]
		if kind != "Service" || !ok {
			return "", fmt.Errorf("no %s %s in this test", kind, name)
		}
		return s.srv.URL, nil
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("BROKER_TEST_LOG") != "" {
		return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewJSONHandler(io.Discard, nil))
}

// startBroker starts a broker over testdata/<fixture> on a free port. It is
// closed when the test ends (closing twice is fine).
func startBroker(t testing.TB, fixture, dataDir string, resolve Resolver, reg *prometheus.Registry, mods ...func(*Config)) *Broker {
	t.Helper()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	cfg := Config{
		DataDir:      dataDir,
		Addr:         "127.0.0.1:0",
		ManifestsDir: filepath.Join("testdata", fixture),
		Resolver:     resolve,
		Logger:       testLogger(),
		Registerer:   reg,
		AckWait:      2 * time.Second,
	}
	for _, mod := range mods {
		mod(&cfg)
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatalf("new broker: %v", err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// newEvent builds a valid event of type typ with a fresh id.
func newEvent(typ string, ext map[string]string) cloudevents.Event {
	ev := cloudevents.NewEvent()
	ev.SetID(uuid.NewString())
	ev.SetSource("/test/producer")
	ev.SetType(typ)
	_ = ev.SetData(cloudevents.ApplicationJSON, map[string]string{"case": "test"})
	for k, v := range ext {
		ev.SetExtension(k, v)
	}
	return ev
}

// post sends ev to the ingress in binary mode and returns the status.
func post(t testing.TB, url string, ev cloudevents.Event) int {
	t.Helper()
	req, err := cehttp.NewHTTPRequestFromEvent(context.Background(), url, ev)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post event: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func mustPost(t testing.TB, url string, ev cloudevents.Event) {
	t.Helper()
	if code := post(t, url, ev); code != http.StatusAccepted {
		t.Fatalf("post event: status %d, want 202", code)
	}
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *subscriber) authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}
