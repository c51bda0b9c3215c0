package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/tests/stack"
)

// postEvent posts a structured-mode CloudEvent as the employer persona,
// as the README's curl does.
func postEvent(t *testing.T, body string) (int, map[string]any) {
	t.Helper()
	return postEventAs(t, token(t, devissuer.PersonaEmployer), body)
}

// postEventAs posts a structured-mode CloudEvent with the bearer token tok.
func postEventAs(t *testing.T, tok, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", stack.Get().URL()+"/api/v1/events", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer is not JSON: %d %s", resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// streamEntries reads a ledger stream as the administrator persona.
func streamEntries(t *testing.T, stream string) []map[string]any {
	t.Helper()
	req, err := http.NewRequest("GET", stack.Get().URL()+"/api/v1/audit/streams/"+stream, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token(t, devissuer.PersonaAdmin))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("read stream %s: %d", stream, resp.StatusCode)
	}
	var out struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Entries
}

// A probe posted at the public origin is recorded by intake, routed by the
// broker to the audit function, answered there in the same ledger stream,
// exactly once even when posted twice, and the ledger verifies.
func TestProbeFlowsThroughIntakeBrokerAndAuditIntoTheLedger(t *testing.T) {
	stream := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	body := fmt.Sprintf(`{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":"/e2e","id":"%s","partitionkey":"%s","datacontenttype":"application/json","data":{"note":"hello"}}`, stream, stream)
	code, first := postEvent(t, body)
	if code != http.StatusAccepted || first["receipt"] == "" {
		t.Fatalf("post: %d %v", code, first)
	}
	code, again := postEvent(t, body)
	if code != http.StatusAccepted || again["receipt"] != first["receipt"] {
		t.Fatalf("a repeated post must return the same receipt: %v then %v", first, again)
	}
	deadline := time.Now().Add(20 * time.Second)
	var entries []map[string]any
	for time.Now().Before(deadline) {
		entries = streamEntries(t, stream)
		if len(entries) >= 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(entries) != 2 {
		t.Fatalf("stream %s has %d entries, want intake's and audit's: %v", stream, len(entries), entries)
	}
	if entries[0]["actor"] == entries[1]["actor"] || entries[1]["actor"] != "function:audit" {
		t.Fatalf("entries: %v", entries)
	}
	time.Sleep(500 * time.Millisecond) // a duplicate would have arrived by now
	if n := len(streamEntries(t, stream)); n != 2 {
		t.Fatalf("duplicate effect: %d entries", n)
	}

	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rep, err := ledger.Verify(context.Background(), pool, stack.LedgerKeys(t))
	if err != nil {
		t.Fatalf("ledger verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("ledger does not verify: %+v", rep)
	}
}

// Bad input is refused with field errors in both languages and changes nothing.
func TestBadSubmissionIsRefusedWithFieldErrors(t *testing.T) {
	stream := fmt.Sprintf("bad-%d", time.Now().UnixNano())
	body := fmt.Sprintf(`{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":"/e2e","id":"%s","partitionkey":"%s","datacontenttype":"application/json","data":{"note":"","extra":true}}`, stream, stream)
	code, out := postEvent(t, body)
	if code != http.StatusBadRequest {
		t.Fatalf("want 400, got %d %v", code, out)
	}
	errs, _ := out["errors"].([]any)
	if len(errs) != 2 {
		t.Fatalf("want both field errors at once: %v", out)
	}
	for _, e := range errs {
		m := e.(map[string]any)
		if m["field"] == "" || m["da"] == "" || m["en"] == "" {
			t.Fatalf("field error lacks field or a language: %v", m)
		}
	}
	if n := len(streamEntries(t, stream)); n != 0 {
		t.Fatalf("refused input changed the ledger: %d entries", n)
	}
	code, out = postEvent(t, `{"specversion":"1.0","type":"dk.nemrefusion.nothing.v1","source":"/e2e","id":"x1"}`)
	if code != http.StatusBadRequest {
		t.Fatalf("unknown type: %d %v", code, out)
	}
}
