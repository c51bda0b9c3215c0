package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

type fixture struct {
	*runtimetest.Kit
	t  testing.TB
	fn *delivery.Function
}

// start runs a delivery function in its own schema with a development
// issuer, a stand-in broker and fast push retries.
func start(t testing.TB) *fixture {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "delivery", Migrations: delivery.Migrations()})
	ctx, cancel := context.WithCancel(context.Background())
	fn, err := delivery.Register(k.Svc, delivery.Config{
		PushInterval: 20 * time.Millisecond, PushBackoffBase: 20 * time.Millisecond, PushBackoffMax: 100 * time.Millisecond,
		PushTimeout: 2 * time.Second,
	}, k.Verifier(t))
	if err != nil {
		cancel()
		t.Fatalf("Register: %v", err)
	}
	done := make(chan struct{})
	go func() { fn.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &fixture{Kit: k, t: t, fn: fn}
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
	code, body := f.Post(f.t, ev)
	if code >= 300 {
		f.t.Logf("%s answered %d: %s", eventType, code, body)
	}
	return code
}

// mustPost posts and requires 2xx; feedback carries the stamps intake's
// accept step sets for the case system of the recipient it names.
func (f *fixture) mustPost(eventType, key string, data any) {
	f.t.Helper()
	if code := f.post(eventType, key, data, stampedAsRecipient(eventType, data)); code/100 != 2 {
		f.t.Fatalf("%s: status %d", eventType, code)
	}
}

// call makes an HTTP request with the token of c (none when c is nil) and
// decodes a JSON answer into out (when non-nil).
func (f *fixture) call(method, path string, c *auth.Claims, body any, out any) int {
	f.t.Helper()
	tok := ""
	if c != nil {
		tok = f.Token(f.t, *c)
	}
	r := f.Call(f.t, method, path, tok, body)
	if out != nil && r.Status/100 == 2 {
		if err := json.Unmarshal(r.Body, out); err != nil {
			f.t.Fatalf("%s %s: %v: %s", method, path, err, r.Body)
		}
	}
	return r.Status
}

// entries returns the ledger entries of stream.
func (f *fixture) entries(stream string) []ledger.Record {
	f.t.Helper()
	return f.Ledger(f.t, stream)
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
