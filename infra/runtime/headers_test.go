package runtime_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"nemrefusion.dk/infra/runtime"
)

// TestAPIAnswersAreNotStoredOrSniffed is issue 16's "API responses with
// personal data lack Cache-Control: no-store and nosniff": every JSON
// answer and every problem carries both; an answer a handler marks public
// keeps its own Cache-Control, a problem never does.
func TestAPIAnswersAreNotStoredOrSniffed(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		write     func(w http.ResponseWriter)
		wantCache string
	}{
		"answer": {func(w http.ResponseWriter) {
			runtime.WriteJSON(w, http.StatusOK, map[string]string{"cpr": "0101011234"})
		}, "no-store"},
		"problem": {func(w http.ResponseWriter) { runtime.WriteError(w, errors.New("boom")) }, "no-store"},
		"public answer": {func(w http.ResponseWriter) {
			w.Header().Set("Cache-Control", "public, max-age=300")
			runtime.WriteJSON(w, http.StatusOK, map[string]string{"url": "https://example.dk/dpo"})
		}, "public, max-age=300"},
		"problem after a public Cache-Control": {func(w http.ResponseWriter) {
			w.Header().Set("Cache-Control", "public, max-age=300")
			runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, "x", "X.", "X.", nil))
		}, "no-store"},
		"429": {func(w http.ResponseWriter) {
			runtime.WriteError(w, runtime.Fail(runtime.KindTooMany, "slow-down", "Langsommere.", "Slow down.", nil))
		}, "no-store"},
	}
	for name, c := range cases {
		w := httptest.NewRecorder()
		c.write(w)
		h := w.Result().Header
		if h.Get("Cache-Control") != c.wantCache || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Cache-Control %q, X-Content-Type-Options %q", name, h.Get("Cache-Control"), h.Get("X-Content-Type-Options"))
		}
		if w.Code == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", name)
		}
	}
}
