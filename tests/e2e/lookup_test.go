package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

func lookupDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// toBroker posts ev to the broker ingress as a function's publisher does.
func toBroker(t *testing.T, ev cloudevents.Event) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, stack.Get().BrokerURL(), nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("broker ingress: %d", resp.StatusCode)
	}
}

// lookupReply waits for the lookup function's reply to the request with id,
// published from its outbox, and returns its type and data.
func lookupReply(t *testing.T, pool *pgxpool.Pool, id string, within time.Duration) (string, []byte) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var typ string
		var ev []byte
		err := pool.QueryRow(context.Background(), `SELECT event_type, event FROM lookup.outbox
			WHERE event->>'causationid' = $1 AND sent_at IS NOT NULL`, id).Scan(&typ, &ev)
		if err == nil {
			var e cloudevents.Event
			if err := json.Unmarshal(ev, &e); err != nil {
				t.Fatal(err)
			}
			return typ, e.Data()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", nil
}

func lookupRequest(t *testing.T, absence string, r events.LookupRequest) cloudevents.Event {
	t.Helper()
	ev, err := events.New(events.LookupRequested, "sickness", absence, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// A lookup.requested event posted to the broker reaches the lookup
// function, which answers from the stand-in registers with lookup.answered
// (same correlation id) and records the read with its purpose in the
// absence's read stream.
func TestLookupAnswersThroughTheBroker(t *testing.T) {
	pool := lookupDB(t)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	ref := registers.MonthOf(time.Now())
	absence := fmt.Sprintf("abs-e2e-lookup-%d", time.Now().UnixNano())
	ev := lookupRequest(t, absence, events.LookupRequest{Kind: events.LookupIncome, CPR: emp.CPR.String(),
		From: ref.AddMonths(-12).String(), To: ref.AddMonths(-1).String(), Purpose: "e2e: employment requirement"})
	toBroker(t, ev)
	typ, data := lookupReply(t, pool, ev.ID(), 20*time.Second)
	if typ != events.LookupAnswered {
		t.Fatalf("reply type %q, want %s", typ, events.LookupAnswered)
	}
	var a events.LookupAnswer
	if err := json.Unmarshal(data, &a); err != nil || a.Income == nil || len(a.Income.Months) != 12 || a.RequestID != ev.ID() {
		t.Fatalf("answer: %s (%v)", data, err)
	}
	recs, err := ledger.Stream(context.Background(), pool, "reads/"+absence, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("ledger: %d entries, %v", len(recs), err)
	}
	var why map[string]string
	_ = json.Unmarshal(recs[0].Reason, &why)
	if recs[0].Actor != "function:sickness" || why["purpose"] != "e2e: employment requirement" || why["outcome"] != "answered" ||
		recs[0].Correlation != events.CorrelationID(ev) {
		t.Fatalf("ledger entry %+v %v", recs[0].Entry, why)
	}

	// An unknown number is a lookup.failed the requester can act on.
	bad := lookupRequest(t, absence, events.LookupRequest{Kind: events.LookupCompany, CVR: "30000013", Purpose: "e2e"})
	toBroker(t, bad)
	if typ, data := lookupReply(t, pool, bad.ID(), 20*time.Second); typ != events.LookupFailed || !bytes.Contains(data, []byte(`"not-found"`)) {
		t.Fatalf("unknown CVR: %q %s", typ, data)
	}
}

func lookupGet(t *testing.T, persona, path string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, stack.Get().URL()+path, nil)
	tok, err := stack.Issuer().PersonaToken(persona)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return resp.StatusCode, resp.Header, out
}

// The web app's lookups on the public origin.
func TestLookupOverHTTP(t *testing.T) {
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	q := "?purpose=" + url.QueryEscape("e2e: show the employee")
	tests := []struct {
		name, persona, path string
		status              int
		field               string // a field the answer must have
	}{
		{"person", devissuer.PersonaCaseworker, "/api/v1/lookup/persons/" + emp.CPR.String() + q, 200, "digitalPost"},
		{"company", devissuer.PersonaEmployer, "/api/v1/lookup/companies/" + emp.CVR.String() + q, 200, "punits"},
		{"p-unit", devissuer.PersonaEmployer, "/api/v1/lookup/punits/" + emp.PNumber.String() + q, 200, "municipality"},
		{"own income", devissuer.PersonaCitizen, fmt.Sprintf("/api/v1/lookup/persons/%s/income%s&from=%s&to=%s", emp.CPR, q,
			registers.MonthOf(time.Now()).AddMonths(-6), registers.MonthOf(time.Now()).AddMonths(-1)), 200, "months"},
		{"bad CPR", devissuer.PersonaCaseworker, "/api/v1/lookup/persons/310290-1234" + q, 400, "errors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := lookupGet(t, tc.persona, tc.path)
			if _, ok := body[tc.field]; code != tc.status || !ok {
				t.Fatalf("%d %v, want %d with %q", code, body, tc.status, tc.field)
			}
		})
	}
}

// With a register down, HTTP lookups answer 503 with Retry-After, and an
// event lookup is refused so the broker retries it: once the register is
// back, the answer arrives.
func TestLookupWithTheRegisterDown(t *testing.T) {
	pool := lookupDB(t)
	// A person nobody has looked up yet, so the cache cannot answer.
	persons := stack.Dataset().Persons
	p := persons[len(persons)/2+rand.IntN(len(persons)/2)]
	ref := registers.MonthOf(time.Now())
	from := ref.AddMonths(-1 - rand.IntN(24))
	stack.Registers().SetDown(true)
	defer stack.Registers().SetDown(false)

	code, h, body := lookupGet(t, devissuer.PersonaCaseworker, fmt.Sprintf("/api/v1/lookup/persons/%s/income?purpose=e2e&from=%s&to=%s", p.CPR, from, ref.AddMonths(-1)))
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || body["code"] != "register-unavailable" {
		t.Fatalf("register down over HTTP: %d %v %v", code, h, body)
	}

	ev := lookupRequest(t, fmt.Sprintf("abs-e2e-down-%d", time.Now().UnixNano()), events.LookupRequest{Kind: events.LookupPerson, CPR: p.CPR.String(), Purpose: "e2e"})
	toBroker(t, ev)
	if typ, _ := lookupReply(t, pool, ev.ID(), 1500*time.Millisecond); typ != "" {
		t.Fatalf("answered %s while the register is down", typ)
	}
	stack.Registers().SetDown(false)
	if typ, data := lookupReply(t, pool, ev.ID(), 30*time.Second); typ != events.LookupAnswered {
		t.Fatalf("after the register came back: %q %s", typ, data)
	}
}
