package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// brokerSink stands in for the broker ingress and keeps what the function
// publishes.
type brokerSink struct {
	mu  sync.Mutex
	got []cloudevents.Event
}

func (s *brokerSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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

func (s *brokerSink) ofType(t string) []cloudevents.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cloudevents.Event
	for _, ev := range s.got {
		if ev.Type() == t {
			out = append(out, ev)
		}
	}
	return out
}

type fixture struct {
	t      testing.TB
	svc    *runtime.Service
	fn     *delivery.Function
	srv    *httptest.Server
	issuer *devissuer.Issuer
	broker *brokerSink
}

// start runs a delivery function in its own schema with a development
// issuer, a stand-in broker and fast push retries.
func start(t testing.TB) *fixture {
	t.Helper()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	bs := &brokerSink{}
	bsrv := httptest.NewServer(bs)
	t.Cleanup(bsrv.Close)
	base.Sink = bsrv.URL

	mux := http.NewServeMux()
	isrv := httptest.NewServer(mux)
	t.Cleanup(isrv.Close)
	iss, err := devissuer.New(devissuer.Config{Issuer: isrv.URL + "/dev-issuer"})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/dev-issuer/", iss)

	name := fmt.Sprintf("delivery_test_%d", rand.Uint32())
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := runtime.New(ctx, runtime.Options{Name: name, Base: base, Migrations: delivery.Migrations(), Logger: runtime.NewLogger(&logs, 0, name)})
	if err != nil {
		cancel()
		t.Fatalf("runtime.New: %v", err)
	}
	fn, err := delivery.Register(ctx, svc, delivery.Config{
		PushInterval: 20 * time.Millisecond, PushBackoffBase: 20 * time.Millisecond, PushBackoffMax: 100 * time.Millisecond,
		PushTimeout: 2 * time.Second, SyntheticPopulation: true,
	}, auth.NewVerifier(iss.URL(), "nemrefusion"))
	if err != nil {
		cancel()
		t.Fatalf("Register: %v", err)
	}
	srv := httptest.NewServer(svc.Mux)
	done := make(chan struct{})
	go func() { fn.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
		_, _ = svc.DB.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE")
		svc.DB.Close()
	})
	return &fixture{t: t, svc: svc, fn: fn, srv: srv, issuer: iss, broker: bs}
}

// token mints an access token for claims.
func (f *fixture) token(c auth.Claims) string {
	f.t.Helper()
	tok, err := f.issuer.Mint(c, devissuer.MintOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func caseSystem(m string) auth.Claims {
	return auth.Claims{Subject: "ksd-" + m, Role: auth.RoleCaseSystem, Municipality: m, ClientID: "ksd-" + m}
}

func caseworker(m string, rights ...string) auth.Claims {
	return auth.Claims{Subject: "cw-" + m, Role: auth.RoleCaseworker, Municipality: m, Rights: rights, LoA: auth.LoASubstantial}
}

func employer(cvr string) auth.Claims {
	return auth.Claims{Subject: "emp-" + cvr, Role: auth.RoleEmployer, CVR: cvr, Rights: []string{auth.RightNemRefusion}, LoA: auth.LoASubstantial}
}

var admin = auth.Claims{Subject: "op-1", Role: auth.RoleAdmin, LoA: auth.LoAHigh}

// post delivers an event to the function as the broker would and returns
// the status.
func (f *fixture) post(eventType, key string, data any, ext map[string]string) int {
	f.t.Helper()
	ev, err := events.New(eventType, "test", key, data, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range ext {
		ev.SetExtension(k, v)
	}
	b, _ := json.Marshal(ev)
	resp, err := http.Post(f.srv.URL+"/", "application/cloudevents+json", bytes.NewReader(b))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		f.t.Logf("%s answered %d: %s", eventType, resp.StatusCode, body)
	}
	return resp.StatusCode
}

// mustPost posts and requires 2xx.
func (f *fixture) mustPost(eventType, key string, data any) {
	f.t.Helper()
	if code := f.post(eventType, key, data, nil); code/100 != 2 {
		f.t.Fatalf("%s: status %d", eventType, code)
	}
}

// call makes an HTTP request with the token of c (none when c is nil) and
// decodes a JSON answer into out (when non-nil).
func (f *fixture) call(method, path string, c *auth.Claims, body any, out any) int {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, rd)
	if c != nil {
		req.Header.Set("Authorization", "Bearer "+f.token(*c))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			f.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// entries returns the ledger entries of stream.
func (f *fixture) entries(stream string) []ledger.Record {
	f.t.Helper()
	recs, err := ledger.Stream(context.Background(), f.svc.DB, stream, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return recs
}

func countType(recs []ledger.Record, t string) int {
	n := 0
	for _, r := range recs {
		if r.EventType == t {
			n++
		}
	}
	return n
}

func newAbsence() string {
	return fmt.Sprintf("0190f0a2-7c1e-7d3a-%04x-%012x", rand.Uint32()&0xffff, rand.Uint64()&0xffffffffffff)
}

func report(absence, recipient, kind, sender string, n int) events.DeliveryRequest {
	return events.DeliveryRequest{ItemID: fmt.Sprintf("%s/%s/%d", absence, kind, n), Recipient: recipient, Kind: kind, CaseRef: absence,
		Sender: sender, Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
