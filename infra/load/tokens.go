package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"nemrefusion.dk/infra/devissuer"
)

// TokenSource gives a bearer token for a tenant.
type TokenSource interface {
	Token(ctx context.Context, t Tenant) (string, error)
}

// tokenTTL is how long a token is reused: blankets must be signed with a
// login no older than AUTH_SIGNING_MAX_AGE (default 5 minutes).
const tokenTTL = 3 * time.Minute

// IssuerTokens gets tokens from the development issuer at
// <baseURL>/dev-issuer/token with the dev CLI client's client credentials,
// naming the persona and the tenant, and reuses each for three minutes.
// Every request to the issuer is timed into stats under "token" when stats
// is not nil.
type IssuerTokens struct {
	url   string
	http  *http.Client
	stats *Stats

	mu    sync.Mutex
	cache map[Tenant]cached
}

type cached struct {
	token string
	until time.Time
}

// NewIssuerTokens returns a token source for the stack at baseURL.
func NewIssuerTokens(baseURL string, c *http.Client, stats *Stats) *IssuerTokens {
	if c == nil {
		c = http.DefaultClient
	}
	return &IssuerTokens{url: strings.TrimSuffix(baseURL, "/") + "/dev-issuer/token", http: c, stats: stats, cache: map[Tenant]cached{}}
}

// Forget drops the cached token of t (after a 401).
func (s *IssuerTokens) Forget(t Tenant) {
	s.mu.Lock()
	delete(s.cache, t)
	s.mu.Unlock()
}

// Token returns a cached or new token for t.
func (s *IssuerTokens) Token(ctx context.Context, t Tenant) (string, error) {
	s.mu.Lock()
	c, ok := s.cache[t]
	s.mu.Unlock()
	if ok && time.Now().Before(c.until) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "persona": {t.Persona}}
	if t.CVR != "" {
		form.Set("cvr", t.CVR)
	}
	if t.CPR != "" {
		form.Set("cpr", t.CPR)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(devissuer.CLIClientID, devissuer.CLIClientSecret)
	start := time.Now()
	resp, err := s.http.Do(req)
	if err != nil {
		s.stats.record("token", time.Since(start), 0, outcomeNetwork)
		return "", fmt.Errorf("token: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error_description"`
	}
	decErr := json.NewDecoder(resp.Body).Decode(&out)
	s.stats.record("token", time.Since(start), resp.StatusCode, classify(resp, decErr == nil))
	if resp.StatusCode != http.StatusOK || decErr != nil || out.AccessToken == "" {
		return "", fmt.Errorf("token for %s: %d %s", t.Persona, resp.StatusCode, out.Error)
	}
	s.mu.Lock()
	s.cache[t] = cached{token: out.AccessToken, until: start.Add(tokenTTL)}
	s.mu.Unlock()
	return out.AccessToken, nil
}
