package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
)

// nrctl deadletters redrive posts a dead letter, without the knativeerror*
// attributes and with its own id, to the subscriber that refused it, marks
// it resolved after a 2xx, and leaves one whose subscriber refuses again
// unresolved (exit 1).
func TestDeadLettersRedrive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, pool := newLedgerDB(t)
	if _, err := pool.Exec(ctx, `CREATE SCHEMA deadletter; CREATE TABLE deadletter.dead_letters (seq bigserial PRIMARY KEY,
		event_type text NOT NULL, error_code text NOT NULL, error_dest text NOT NULL, event jsonb NOT NULL,
		received_at timestamptz NOT NULL DEFAULT now(), resolved_at timestamptz)`); err != nil {
		t.Fatal(err)
	}
	var got atomic.Int32
	var gotID atomic.Value
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil || ev.Extensions()["knativeerrorcode"] != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		gotID.Store(ev.ID())
		got.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer ok.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer refusing.Close()
	for _, dest := range []string{ok.URL, refusing.URL} {
		ev, err := events.New(events.ProbeRequested, "test", "p", map[string]string{"note": "x"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ev.SetExtension("knativeerrorcode", "503")
		ev.SetExtension("knativeerrordest", dest)
		body, _ := json.Marshal(ev)
		if _, err := pool.Exec(ctx, `INSERT INTO deadletter.dead_letters (event_type, error_code, error_dest, event) VALUES ($1, '503', $2, $3)`,
			ev.Type(), dest, body); err != nil {
			t.Fatal(err)
		}
		if dest == ok.URL {
			gotID.Store("")
			defer func(id string) {
				if gotID.Load() != id {
					t.Errorf("redriven with id %v, want the original %s", gotID.Load(), id)
				}
			}(ev.ID())
		}
	}
	vars := map[string]string{"DATABASE_URL": url}
	r := nrctl(t, vars, "deadletters", "redrive", "--all")
	if r.code != 1 || !strings.Contains(r.stdout, "1 redriven, 1 not") {
		t.Fatalf("redrive: %+v", r)
	}
	if got.Load() != 1 {
		t.Fatalf("the accepting subscriber got %d events, want 1", got.Load())
	}
	var unresolved int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM deadletter.dead_letters WHERE resolved_at IS NULL`).Scan(&unresolved); err != nil || unresolved != 1 {
		t.Fatalf("unresolved = %d (%v), want 1", unresolved, err)
	}
	r = nrctl(t, vars, "deadletters", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "1 unresolved dead letters") {
		t.Fatalf("list: %+v", r)
	}
	if r := nrctl(t, vars, "deadletters", "redrive"); r.code != 2 {
		t.Fatalf("redrive without selection: %+v", r)
	}
}
