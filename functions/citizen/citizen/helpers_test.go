package citizen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/citizen"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

type fixture struct{ *runtimetest.Kit }

// start runs the citizen function on a fresh schema of the real Postgres,
// with a development issuer and a sink that accepts everything (the outbox
// table is what the tests read).
func start(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{runtimetest.Start(t, runtimetest.Options{Name: "citizen", Migrations: citizen.Migrations()})}
	v := f.Verifier(t)
	v.Log, v.Ledger = f.Svc.Log, f.Svc.DB
	citizen.Register(f.Svc, v, 5*time.Minute, citizen.Config{})
	return f
}

// persona returns the claims of a development persona.
func persona(t *testing.T, key string) auth.Claims {
	t.Helper()
	p, ok := devissuer.PersonaByKey(key)
	if !ok {
		t.Fatalf("no persona %s", key)
	}
	c := p.Claims
	c.Subject = "dev:" + key
	return c
}

// token mints an access token for c, logged in loggedInAgo ago.
func (f *fixture) token(t *testing.T, c auth.Claims, loggedInAgo time.Duration) string {
	t.Helper()
	c.AuthTime = time.Now().Add(-loggedInAgo).Unix()
	return f.Token(t, c)
}

// deliver posts an event of typ to the function as the broker does and
// wants 2xx.
func (f *fixture) deliver(t *testing.T, typ, key string, data any) {
	t.Helper()
	ev, err := events.New(typ, "test", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Deliver(t, ev)
}

type reply struct {
	status int
	body   map[string]any
	raw    string
	www    string
}

// errs returns field -> code of the answer's field errors.
func (r reply) errs() map[string]string {
	out := map[string]string{}
	list, _ := r.body["errors"].([]any)
	for _, e := range list {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["code"].(string)
	}
	return out
}

func (f *fixture) call(t *testing.T, tok, method, path string, body any) reply {
	t.Helper()
	a := f.Call(t, method, path, tok, body)
	r := reply{status: a.Status, raw: string(a.Body), www: a.Header.Get("WWW-Authenticate")}
	_ = json.Unmarshal(a.Body, &r.body)
	return r
}

func (f *fixture) want(t *testing.T, r reply, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// ledgerRows returns (event type, actor, role, on behalf of) of an
// absence's ledger stream.
func (f *fixture) ledgerRows(t *testing.T, stream string) [][4]string {
	t.Helper()
	var out [][4]string
	for _, r := range f.Ledger(t, stream) {
		out = append(out, [4]string{r.EventType, r.Actor, r.Role, r.OnBehalfOf})
	}
	return out
}

// denials counts the access-denied entries of actor for resource.
func (f *fixture) denials(t *testing.T, actor, resource string) int {
	t.Helper()
	var n int
	err := f.Svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND actor = $2 AND reason::jsonb->>'resource' = $3`,
		auth.StreamAccessDenied, actor, resource).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// newAbsence gives the person cpr tasks for a fresh absence and returns its id.
func (f *fixture) newAbsence(t *testing.T, cpr, kind string, tasks ...string) string {
	t.Helper()
	id := fmt.Sprintf("abs-%d-%d", time.Now().UnixNano(), rand.Uint32())
	first := time.Now().AddDate(0, 0, -10).Format(time.DateOnly)
	f.deliver(t, events.CitizenTasksRequested, id, events.CitizenTasksRequest{AbsenceID: id, CPR: cpr, PersonKind: kind, Municipality: "101",
		SenderName: "Demo A/S", SenderCVR: "30000005", FirstAbsenceDay: first, Tasks: tasks, Deadline: time.Now().AddDate(0, 0, 8).Format(time.DateOnly),
		Report: json.RawMessage(`{"wagesPaid": false, "weeklyHours": 37}`)})
	return id
}
