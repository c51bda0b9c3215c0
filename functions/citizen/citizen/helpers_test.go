package citizen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/citizen"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/runtime"
)

type fixture struct {
	svc    *runtime.Service
	srv    *httptest.Server
	issuer *devissuer.Issuer
}

// start runs the citizen function on a fresh schema of the real Postgres,
// with a development issuer and a sink that accepts everything (the outbox
// table is what the tests read).
func start(t *testing.T) *fixture {
	t.Helper()
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	t.Cleanup(sink.Close)
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	base.Sink, base.LogLevel = sink.URL, "error"
	if u := os.Getenv("DATABASE_URL"); u != "" {
		base.DatabaseURL = u
	}
	mux := http.NewServeMux()
	f := &fixture{srv: httptest.NewServer(mux)}
	t.Cleanup(f.srv.Close)
	var err error
	if f.issuer, err = devissuer.New(devissuer.Config{Issuer: f.srv.URL + "/dev-issuer"}); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("citizen_t%d", rand.Uint32())
	ctx := context.Background()
	f.svc, err = runtime.New(ctx, runtime.Options{Name: name, Base: base, Migrations: citizen.Migrations(), Logger: runtime.NewLogger(io.Discard, 0, name)})
	if err != nil {
		t.Fatalf("runtime (is Postgres up?): %v", err)
	}
	t.Cleanup(func() {
		_, _ = f.svc.DB.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
		f.svc.DB.Close()
	})
	v := auth.NewVerifier(f.issuer.URL(), "nemrefusion")
	v.Log, v.Ledger = f.svc.Log, f.svc.DB
	citizen.Register(f.svc, v, 5*time.Minute, citizen.Config{})
	mux.Handle("/dev-issuer/", f.issuer)
	mux.Handle("/", f.svc.Mux)
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
	tok, err := f.issuer.Mint(c, devissuer.MintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// deliver posts ev to the function as the broker does and wants 2xx.
func (f *fixture) deliver(t *testing.T, typ, key string, data any) {
	t.Helper()
	ev, err := events.New(typ, "test", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(ev)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("delivery of %s: %d %s", typ, resp.StatusCode, b)
	}
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
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: string(b), www: resp.Header.Get("WWW-Authenticate")}
	_ = json.Unmarshal(b, &r.body)
	return r
}

func (f *fixture) want(t *testing.T, r reply, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

type emitted struct {
	Type string
	Data json.RawMessage
}

// outbox returns what the function emitted for an absence, in order.
func (f *fixture) outbox(t *testing.T, absence string) []emitted {
	t.Helper()
	rows, err := f.svc.DB.Query(context.Background(), `SELECT event_type, event->'data' FROM outbox WHERE partition_key = $1 ORDER BY seq`, absence)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []emitted
	for rows.Next() {
		var e emitted
		if err := rows.Scan(&e.Type, &e.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func ofType(es []emitted, typ string) []emitted {
	var out []emitted
	for _, e := range es {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// ledgerRows returns (event type, actor, role, on behalf of) of an
// absence's ledger stream.
func (f *fixture) ledgerRows(t *testing.T, stream string) [][4]string {
	t.Helper()
	rows, err := f.svc.DB.Query(context.Background(), `SELECT event_type, actor, role, on_behalf_of FROM ledger.entries WHERE stream = $1 ORDER BY seq`, stream)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][4]string
	for rows.Next() {
		var r [4]string
		if err := rows.Scan(&r[0], &r[1], &r[2], &r[3]); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// denials counts the access-denied entries of actor for resource.
func (f *fixture) denials(t *testing.T, actor, resource string) int {
	t.Helper()
	var n int
	err := f.svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND actor = $2 AND reason::jsonb->>'resource' = $3`,
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
