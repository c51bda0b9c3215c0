package devissuer_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"nemrefusion.dk/infra/devissuer"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// tokenRequest asks the issuer directly (no network, so the remote
// address can be chosen) for a client-credentials token.
func tokenRequest(iss *devissuer.Issuer, addr, client, secret string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, iss.URL()+"/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(client, secret)
	r.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	iss.ServeHTTP(w, r)
	return w
}

// TestTokenEndpointAnswers429AfterFiveWrongSecrets is issue 16's "no rate
// limits (60 wrong client secrets in 0.1 s)": of 60 wrong secrets for one
// client, 5 get 401 and the rest 429 with Retry-After and a body in Danish
// and English; during the lockout the right secret is refused too (so a
// guess in it tells nothing), other clients from other addresses are not
// affected, and after Retry-After the client may try again.
func TestTokenEndpointAnswers429AfterFiveWrongSecrets(t *testing.T) {
	t.Parallel()
	c := &clock{now: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
	iss, err := devissuer.New(devissuer.Config{Issuer: "http://issuer.test/dev-issuer", Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	const client = "dev-payroll-system"
	counts := map[int]int{}
	var last *httptest.ResponseRecorder
	for n := 0; n < 60; n++ {
		w := tokenRequest(iss, "203.0.113.7", client, "guess-"+strconv.Itoa(n))
		counts[w.Code]++
		if w.Code == http.StatusTooManyRequests {
			last = w
		}
	}
	if counts[http.StatusUnauthorized] != devissuer.DefaultFailureBurst || counts[http.StatusTooManyRequests] != 60-devissuer.DefaultFailureBurst {
		t.Fatalf("60 wrong secrets: %v, want %d × 401 and the rest 429", counts, devissuer.DefaultFailureBurst)
	}
	var body map[string]string
	_ = json.Unmarshal(last.Body.Bytes(), &body)
	ra, err := strconv.Atoi(last.Header().Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 || body["error"] == "" || body["da"] == "" || body["en"] == "" {
		t.Fatalf("429: Retry-After %q, body %v", last.Header().Get("Retry-After"), body)
	}

	// The right secret during the lockout: 429, from any address.
	if w := tokenRequest(iss, "198.51.100.9", client, devissuer.ClientSecret(client)); w.Code != http.StatusTooManyRequests {
		t.Fatalf("right secret during the lockout: %d", w.Code)
	}
	// Another client from another address is not affected.
	other := "dev-case-system-aarhus"
	if w := tokenRequest(iss, "198.51.100.9", other, devissuer.ClientSecret(other)); w.Code != http.StatusOK {
		t.Fatalf("another client: %d %s", w.Code, w.Body)
	}
	// After Retry-After, one more try.
	c.Add(time.Duration(ra) * time.Second)
	if w := tokenRequest(iss, "203.0.113.7", client, devissuer.ClientSecret(client)); w.Code != http.StatusOK {
		t.Fatalf("right secret after Retry-After: %d %s", w.Code, w.Body)
	}
}

// TestTokenEndpointLimitsOneAddressSprayingClientIDs: one address trying
// wrong secrets for ever new client ids is stopped after AddressFactor ×
// DefaultFailureBurst failures, and then even a right secret from it waits.
func TestTokenEndpointLimitsOneAddressSprayingClientIDs(t *testing.T) {
	t.Parallel()
	c := &clock{now: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
	iss, err := devissuer.New(devissuer.Config{Issuer: "http://issuer.test/dev-issuer", Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	limit := devissuer.AddressFactor * devissuer.DefaultFailureBurst
	for n := 0; n < limit; n++ {
		if w := tokenRequest(iss, "203.0.113.8", "client-"+strconv.Itoa(n), "x"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", n+1, w.Code)
		}
	}
	if w := tokenRequest(iss, "203.0.113.8", "client-next", "x"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("failure %d: %d, want 429", limit+1, w.Code)
	}
	if w := tokenRequest(iss, "203.0.113.8", devissuer.CLIClientID, devissuer.CLIClientSecret); w.Code != http.StatusTooManyRequests {
		t.Fatalf("right secret from the locked address: %d, want 429", w.Code)
	}
	if w := tokenRequest(iss, "203.0.113.9", "dev-payroll-system", devissuer.ClientSecret("dev-payroll-system")); w.Code != http.StatusOK {
		t.Fatalf("another address: %d", w.Code)
	}
}
