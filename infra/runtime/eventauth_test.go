package runtime_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/pg"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// Issue 16 (High): "a forged event posted straight to a function's port
// (claiming an admin actor role) got 202 and a ledger entry". The receiver
// now takes an event only with the broker's token for this function: every
// other delivery gets 401 and leaves no inbox row and no ledger entry.
func TestForgedEventPostedStraightToTheFunctionIsRefused(t *testing.T) {
	t.Parallel()
	f := start(t)
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"not a JWT", "forged"},
		{"signed with another key", runtimetest.SignToken(t, otherKey, runtimetest.TestBrokerIssuer, f.Svc.Name, time.Now().Add(time.Minute))},
		{"another function's audience", runtimetest.DeliveryToken(t, "audit")},
		{"another issuer", runtimetest.SignToken(t, otherKey, "someone-else", f.Svc.Name, time.Now().Add(time.Minute))},
		{"expired", runtimetest.SignToken(t, runtimetest.TestBrokerKey(t), runtimetest.TestBrokerIssuer, f.Svc.Name, time.Now().Add(-time.Minute))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := newEvent(t, "ok")
			ev.SetExtension(events.ExtActor, "admin:mallory")
			ev.SetExtension(events.ExtActorRole, "admin")
			code, body := f.PostWithToken(t, ev, tc.token)
			if code != http.StatusUnauthorized {
				t.Fatalf("forged delivery answered %d %s, want 401", code, body)
			}
			if n := f.ledgerCount(t, events.PartitionKey(ev)); n != 0 {
				t.Errorf("forged delivery wrote %d ledger entries", n)
			}
			if first := notInInbox(t, f, ev.Source(), ev.ID(), ev.Type()); !first {
				t.Error("forged delivery left an inbox row")
			}
		})
	}
	t.Run("the broker's token is taken", func(t *testing.T) {
		ev := newEvent(t, "ok")
		if code, body := f.Post(t, ev); code != http.StatusAccepted {
			t.Fatalf("signed delivery answered %d %s", code, body)
		}
		if n := f.ledgerCount(t, events.PartitionKey(ev)); n != 1 {
			t.Errorf("signed delivery wrote %d ledger entries, want 1", n)
		}
	})
}

// notInInbox reports whether (source, id) is still a first delivery for the
// function, i.e. the refused event left no inbox row. It checks inside a
// transaction that is rolled back, so it records nothing itself.
func notInInbox(t *testing.T, f *fixture, source, id, typ string) bool {
	t.Helper()
	ctx := context.Background()
	tx, err := f.Svc.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	first, err := pg.FirstDelivery(ctx, tx, source, id, typ)
	if err != nil {
		t.Fatal(err)
	}
	return first
}

// Issue 16: /metrics was served on the app's port, which the public routes
// reach (the portal's "/" route). It is now a 404 there and served only by
// MetricsHandler (Run puts it on METRICS_PORT).
func TestMetricsAreNotOnTheAppPort(t *testing.T) {
	t.Parallel()
	f := start(t)
	resp, err := http.Get(f.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the app port: %d, want 404", resp.StatusCode)
	}
	rec := httptest.NewRecorder()
	f.Svc.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("metrics handler: %d %.200s", rec.Code, rec.Body.String())
	}
}
