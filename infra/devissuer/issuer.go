// Package devissuer is the development OIDC issuer of the local stack: OIDC
// discovery, a JWKS with an RSA key generated at start (never stored), the
// authorization-code flow with PKCE (S256) for the browser with a Danish
// login page where you pick a persona from the synthetic Denmark, and
// client credentials for machine clients. Tokens are RS256 JWTs for the
// audience "nemrefusion", valid 15 minutes, with auth_time.
//
// It is for development and tests only: its client secrets are fixed,
// well-known values (see README.md) and anyone can log in as anyone. The
// local stack mounts it at /dev-issuer/ on the public origin; no Kubernetes
// overlay deploys it.
package devissuer

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // the key thumbprint
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Config configures an Issuer.
type Config struct {
	// Issuer is the issuer URL exactly as tokens carry it and verifiers
	// expect it, e.g. http://localhost:8080/dev-issuer. Its path is where
	// the handler serves (requests must arrive with that path prefix).
	Issuer string
	// Audience of access tokens; default "nemrefusion".
	Audience string
	// TokenTTL is how long tokens live; default 15 minutes.
	TokenTTL time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// FailureBurst failed client authentications at the token endpoint
	// are allowed per client id (AddressFactor times as many per remote
	// address), and one more every FailureWindow / FailureBurst; beyond
	// that the endpoint answers 429 with Retry-After for that client id or
	// address, whatever the secret. Defaults DefaultFailureBurst and
	// DefaultFailureWindow (5 a minute per client, 20 per address); a
	// negative FailureBurst turns the limit off.
	FailureBurst  int
	FailureWindow time.Duration
}

// Issuer is the development OIDC issuer; it is an http.Handler.
type Issuer struct {
	cfg    Config
	base   string // path prefix, e.g. /dev-issuer
	key    *rsa.PrivateKey
	kid    string
	signer jose.Signer
	mux    *http.ServeMux

	failures tokenFailures

	mu      sync.Mutex
	pending map[string]loginRequest // login page id → authorization request
	codes   map[string]codeGrant    // authorization code → grant
}

// New generates a signing key and returns an issuer.
func New(cfg Config) (*Issuer, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("devissuer: issuer %q is not an http(s) URL", cfg.Issuer)
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	if cfg.Audience == "" {
		cfg.Audience = "nemrefusion"
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devissuer: generate key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("devissuer: key thumbprint: %w", err)
	}
	i := &Issuer{
		cfg: cfg, base: strings.TrimSuffix(u.Path, "/"), key: key,
		kid:     base64.RawURLEncoding.EncodeToString(thumb)[:16],
		pending: map[string]loginRequest{}, codes: map[string]codeGrant{},
		failures: newTokenFailures(cfg.FailureBurst, cfg.FailureWindow, cfg.Now),
	}
	i.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: i.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("devissuer: signer: %w", err)
	}
	i.mux = http.NewServeMux()
	i.mux.HandleFunc("GET "+i.base+"/.well-known/openid-configuration", i.discovery)
	i.mux.HandleFunc("GET "+i.base+"/jwks", i.jwks)
	i.mux.HandleFunc("GET "+i.base+"/authorize", i.authorizePage)
	i.mux.HandleFunc("POST "+i.base+"/authorize", i.authorizeLogin)
	i.mux.HandleFunc("POST "+i.base+"/token", i.token)
	i.mux.HandleFunc("GET "+i.base+"/{$}", i.index)
	return i, nil
}

// URL is the issuer URL.
func (i *Issuer) URL() string { return i.cfg.Issuer }

// ServeHTTP serves the issuer's endpoints under the issuer URL's path.
func (i *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	i.mux.ServeHTTP(w, r)
}

func (i *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	iss := i.cfg.Issuer
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported": []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "role", "cpr", "cvr",
			"rights", "loa", "on_behalf_of", "municipality", "client_id", "name"},
	})
}

func (i *Issuer) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &i.key.PublicKey, KeyID: i.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

func (i *Issuer) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "NemRefusion development OIDC issuer (never in production).\nDiscovery: %s/.well-known/openid-configuration\n", i.cfg.Issuer)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// randomID returns 32 random bytes, base64url encoded.
func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
