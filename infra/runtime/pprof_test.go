package runtime_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The profiler is on the metrics listener only with PPROF=1 (make
// bench-system profiles every function with it), never by default and
// never on the app's port.
func TestPprofOnlyWithPPROFAndOnlyOnMetrics(t *testing.T) {
	f := start(t)
	get := func(h http.Handler, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	t.Setenv("PPROF", "")
	if rec := get(f.Svc.MetricsHandler(), "/debug/pprof/"); rec.Code != http.StatusNotFound {
		t.Errorf("without PPROF: /debug/pprof/ %d, want 404", rec.Code)
	}
	t.Setenv("PPROF", "1")
	if rec := get(f.Svc.MetricsHandler(), "/debug/pprof/goroutine?debug=1"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "goroutine profile") {
		t.Errorf("with PPROF=1: goroutine profile %d %.200s", rec.Code, rec.Body.String())
	}
	resp, err := http.Get(f.URL() + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/debug/pprof/ on the app port: %d, want 404", resp.StatusCode)
	}
}
