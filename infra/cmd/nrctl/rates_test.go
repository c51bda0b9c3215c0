package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The rates commands call the sickness function's rate administration
// (GET/POST /api/v1/admin/rates, POST .../{id}/publish) with the
// administrator's token and print what it answers; a refusal is exit 1 with
// its reasons, bad usage exit 2 before any call, an API that cannot be
// reached exit 3.
func TestRatesCommands(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []string
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer admin-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		calls = append(calls, r.Method+" "+r.URL.Path)
		var body map[string]any
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			_ = json.Unmarshal(b, &body)
		}
		bodies = append(bodies, body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/admin/rates":
			_, _ = io.WriteString(w, `{"rates":[{"id":4,"year":2019,"version":1,"effectiveFrom":"2019-01-07","weekly":4355.00,"hourly":117.70,"source":"https://bm.dk/satser/satser-for-2019/sygedagpenge/","status":"published","current":true}]}`)
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/admin/rates" && body["year"] == 2024.0:
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"status":409,"code":"rate-published","da":"Satsen for 2024 er offentliggjort og kan ikke ændres.","en":"The 2024 rate is published and cannot be changed."}`)
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/admin/rates":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"rate":{"id":9,"year":2026,"version":1,"effectiveFrom":"2026-01-05","weekly":4945.00,"hourly":133.65,"source":"provisional","status":"provisional","current":true},"recomputed":3}`)
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/admin/rates/9/publish":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"rate":{"id":10,"year":2026,"version":2,"effectiveFrom":"2026-01-05","weekly":4950.00,"hourly":133.78,"source":"https://bm.dk/x","status":"published","current":true},"recomputed":3}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	vars := map[string]string{"NR_URL": srv.URL, "NR_TOKEN": "admin-token"}

	r := nrctl(t, vars, "rates", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "4*\t2019\t1\t2019-01-07\t4355.00\t117.70\tpublished") {
		t.Fatalf("list: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = nrctl(t, vars, "rates", "add", "--year", "2026", "--weekly", "4945", "--provisional")
	if r.code != 0 || !strings.Contains(r.stdout, "9*\t2026\t1\t2026-01-05\t4945.00\t133.65\tprovisional") || !strings.Contains(r.stdout, "3 absences recomputed") {
		t.Fatalf("add: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = nrctl(t, vars, "rates", "publish", "9", "--source", "https://bm.dk/x", "--weekly", "4950")
	if r.code != 0 || !strings.Contains(r.stdout, "10*\t2026\t2") {
		t.Fatalf("publish: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = nrctl(t, vars, "rates", "add", "--year", "2024", "--weekly", "5000", "--published", "--source", "https://x", "--effective-from", "2024-01-01")
	if r.code != 1 || !strings.Contains(r.stderr, "The 2024 rate is published and cannot be changed.") {
		t.Fatalf("refused add: %d %s", r.code, r.stderr)
	}
	mu.Lock()
	want := []string{"GET /api/v1/admin/rates", "POST /api/v1/admin/rates", "POST /api/v1/admin/rates/9/publish", "POST /api/v1/admin/rates"}
	if strings.Join(calls, ",") != strings.Join(want, ",") {
		t.Errorf("calls %v, want %v", calls, want)
	}
	if b := bodies[1]; b["year"] != 2026.0 || b["weekly"] != 4945.0 || b["status"] != "provisional" {
		t.Errorf("add body %v", b)
	}
	if b := bodies[2]; b["source"] != "https://bm.dk/x" || b["weekly"] != 4950.0 {
		t.Errorf("publish body %v", b)
	}
	if b := bodies[3]; b["status"] != "published" || b["effectiveFrom"] != "2024-01-01" {
		t.Errorf("published add body %v", b)
	}
	n := len(calls)
	mu.Unlock()

	for _, args := range [][]string{
		{"rates"}, {"rates", "add", "--year", "2026", "--weekly", "4945"}, {"rates", "add", "--year", "2026", "--weekly", "49.455", "--provisional"},
		{"rates", "add", "--year", "2026", "--weekly", "4945", "--provisional", "--published"}, {"rates", "publish", "x", "--source", "s"},
		{"rates", "publish", "9"}, {"rates", "nothing"},
	} {
		if r := nrctl(t, vars, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	mu.Lock()
	if len(calls) != n {
		t.Errorf("bad usage called the API: %v", calls[n:])
	}
	mu.Unlock()
	if r := nrctl(t, map[string]string{"NR_URL": "http://127.0.0.1:1", "NR_TOKEN": "t"}, "rates", "list"); r.code != 3 {
		t.Errorf("unreachable API: exit %d, want 3", r.code)
	}
}
