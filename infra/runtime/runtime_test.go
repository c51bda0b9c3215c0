package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

const (
	testType = "dk.nemrefusion.test.thing.requested.v1"
	doneType = "dk.nemrefusion.test.thing.done.v1"
)

type fixture struct{ *runtimetest.Kit }

func start(t testing.TB) *fixture {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "rt_test", Logger: runtime.NewLogger(io.Discard, -4, "rt_test")})
	svc := k.Svc
	svc.Pub.MaxElapsed = 300 * time.Millisecond
	svc.On(testType, func(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event) error {
		var in struct{ Mode string }
		_ = ev.DataAs(&in)
		if _, err := tx.Record(ctx, ledger.Entry{}); err != nil {
			return err
		}
		if _, err := tx.Emit(ctx, doneType, events.PartitionKey(ev), map[string]string{"mode": in.Mode}); err != nil {
			return err
		}
		switch in.Mode {
		case "invalid":
			return events.FieldErrors{{Field: "mode", Code: "enum", Da: "Forkert.", En: "Wrong."}}
		case "transient":
			return runtime.Fail(runtime.KindUnavailable, "down", "Nede.", "Down.", nil)
		}
		return nil
	})
	return &fixture{k}
}

func newEvent(t testing.TB, mode string) cloudevents.Event {
	t.Helper()
	ev, err := events.New(testType, "tester", fmt.Sprintf("stream-%d", rand.Uint64()), map[string]string{"mode": mode}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// post sends ev in binary or structured mode and returns the status and body.
func (f *fixture) post(t *testing.T, ev cloudevents.Event, structured bool) (int, string) {
	t.Helper()
	if structured {
		return f.PostStructured(t, ev)
	}
	return f.Post(t, ev)
}

func (f *fixture) ledgerCount(t *testing.T, stream string) int {
	t.Helper()
	return len(f.Ledger(t, stream))
}

func TestEventIsHandledOnceAndItsEmittedEventKeepsTheChain(t *testing.T) {
	t.Parallel()
	f := start(t)
	for _, structured := range []bool{false, true} {
		ev := newEvent(t, "ok")
		before := len(f.Sink.Events())
		for i := 0; i < 2; i++ { // the second delivery is a redelivery
			if code, body := f.post(t, ev, structured); code != http.StatusAccepted {
				t.Fatalf("structured=%v delivery %d: %d %s", structured, i, code, body)
			}
		}
		if n := f.ledgerCount(t, events.PartitionKey(ev)); n != 1 {
			t.Fatalf("structured=%v: %d ledger entries, want 1", structured, n)
		}
		got := f.Sink.Events()[before:]
		if len(got) != 1 {
			t.Fatalf("structured=%v: %d events published, want 1", structured, len(got))
		}
		out := got[0]
		if out.Type() != doneType || events.CorrelationID(out) != ev.ID() || events.Str(out, events.ExtCausationID) != ev.ID() {
			t.Fatalf("emitted event lost the chain: %v", out)
		}
		if !strings.HasPrefix(events.Str(out, events.ExtTraceParent), "00-") {
			t.Fatalf("no traceparent on emitted event: %v", out.Extensions())
		}
	}
}

func TestRefusalsCommitNothing(t *testing.T) {
	t.Parallel()
	f := start(t)
	cases := []struct {
		mode string
		want int
		code string
	}{
		{"invalid", http.StatusBadRequest, `"field":"mode"`},
		{"transient", http.StatusServiceUnavailable, `"code":"down"`},
	}
	for _, c := range cases {
		ev := newEvent(t, c.mode)
		code, body := f.post(t, ev, false)
		if code != c.want || !strings.Contains(body, c.code) {
			t.Fatalf("%s: %d %s, want %d with %s", c.mode, code, body, c.want, c.code)
		}
		if n := f.ledgerCount(t, events.PartitionKey(ev)); n != 0 {
			t.Fatalf("%s: %d ledger entries after a refusal", c.mode, n)
		}
		var inbox int
		_ = f.Svc.DB.QueryRow(context.Background(), "SELECT count(*) FROM inbox WHERE id=$1", ev.ID()).Scan(&inbox)
		if inbox != 0 {
			t.Fatalf("%s: refused event recorded in the inbox, so a retry would be ignored", c.mode)
		}
	}
	if p, _ := f.Svc.Outbox.Pending(context.Background()); p != 0 {
		t.Fatalf("%d outbox rows from refused events", p)
	}
}

func TestBadMessagesGet400(t *testing.T) {
	t.Parallel()
	f := start(t)
	cases := map[string]func() *http.Request{
		"not a cloudevent": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, f.URL()+"/", strings.NewReader(`{"hello":1}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		},
		"unhandled type": func() *http.Request {
			ev := newEvent(t, "ok")
			ev.SetType("dk.nemrefusion.test.other.v1")
			r, _ := http.NewRequest(http.MethodPost, f.URL()+"/", nil)
			_ = cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), r)
			return r
		},
		"too large": func() *http.Request {
			ev := newEvent(t, strings.Repeat("x", 2<<20))
			r, _ := http.NewRequest(http.MethodPost, f.URL()+"/", nil)
			_ = cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), r)
			return r
		},
	}
	for name, mk := range cases {
		req := mk()
		runtimetest.SignDelivery(t, req, f.Svc.Name) // from the broker: only the message is bad
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p runtime.Problem
		_ = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || p.Da == "" || p.En == "" {
			t.Errorf("%s: %d %+v, want 400 with a message in both languages", name, resp.StatusCode, p)
		}
	}
}

func TestOutboxKeepsEventsWhileTheBrokerIsDownAndRelaysThem(t *testing.T) {
	t.Parallel()
	f := start(t)
	f.Sink.SetFailing(true)
	ev := newEvent(t, "ok")
	if code, body := f.post(t, ev, false); code != http.StatusAccepted {
		t.Fatalf("the effect committed, so the event is accepted even with the broker down: %d %s", code, body)
	}
	if p, _ := f.Svc.Outbox.Pending(context.Background()); p != 1 {
		t.Fatalf("pending = %d, want 1", p)
	}
	f.Sink.SetFailing(false)
	n, err := f.Svc.Outbox.Relay(context.Background(), 0)
	if err != nil || n != 1 {
		t.Fatalf("relay sent %d (%v), want 1", n, err)
	}
	if p, _ := f.Svc.Outbox.Pending(context.Background()); p != 0 {
		t.Fatalf("pending = %d after relay", p)
	}
	if got := f.Sink.Events(); len(got) != 1 || events.CorrelationID(got[0]) != ev.ID() {
		t.Fatalf("relayed %v", got)
	}
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	f := start(t)
	for _, p := range []string{"/healthz"} { // /metrics: TestMetricsAreNotOnTheAppPort
		resp, err := http.Get(f.URL() + p)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", p, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	// Not serving yet (Serve flips readiness): 503, which keeps traffic away.
	resp, err := http.Get(f.URL() + "/readyz")
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz before Serve: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}
