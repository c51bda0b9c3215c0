package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/runtime"
)

// TestSubmissionsArePerTenantRateLimited is issue 16's "no rate limits":
// one tenant beyond its budget gets 429 with Retry-After and a problem in
// Danish and English; another tenant is not affected; the defaults are far
// above what the load tools send per tenant.
func TestSubmissionsArePerTenantRateLimited(t *testing.T) {
	t.Parallel()
	h := auth.LimitPerTenant(auth.NewTenantLimiter(1, 3))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	post := func(persona string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/events", nil)
		r = r.WithContext(auth.WithPrincipal(r.Context(), principal(t, persona)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for n := 0; n < 3; n++ {
		if w := post(devissuer.PersonaEmployer); w.Code != http.StatusAccepted {
			t.Fatalf("request %d: %d", n+1, w.Code)
		}
	}
	w := post(devissuer.PersonaEmployer)
	var p runtime.Problem
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if s, err := strconv.Atoi(w.Header().Get("Retry-After")); w.Code != http.StatusTooManyRequests || err != nil || s < 1 || p.Da == "" || p.En == "" || p.Code != "rate-limited" {
		t.Fatalf("4th request: %d, Retry-After %q, %+v", w.Code, w.Header().Get("Retry-After"), p)
	}
	if w := post(devissuer.PersonaCitizen); w.Code != http.StatusAccepted {
		t.Fatalf("another tenant: %d", w.Code)
	}

	// Off and defaults.
	if auth.NewTenantLimiter(0, 10) != nil {
		t.Fatal("rate 0 should turn the limit off")
	}
	if auth.DefaultSubmissionRate < 200 || auth.DefaultSubmissionBurst < 400 {
		t.Fatalf("defaults %d/s burst %d would slow the load tools", auth.DefaultSubmissionRate, auth.DefaultSubmissionBurst)
	}
}
