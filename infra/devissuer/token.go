package devissuer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"nemrefusion.dk/infra/auth"
)

// MintOptions override what Mint puts around the claims (tests use them to
// make expired, wrong-audience or wrong-issuer tokens).
type MintOptions struct {
	// Audience; default the issuer's audience ("nemrefusion").
	Audience []string
	// Issuer; default the issuer URL.
	Issuer string
	// IssuedAt; default now. The token expires at IssuedAt + TTL.
	IssuedAt time.Time
	// TTL; default the issuer's token TTL (15 minutes).
	TTL time.Duration
	// Nonce is set in ID tokens.
	Nonce string
}

// Mint signs a token with claims c. AuthTime 0 means the token's issue time.
func (i *Issuer) Mint(c auth.Claims, o MintOptions) (string, error) {
	if o.IssuedAt.IsZero() {
		o.IssuedAt = i.cfg.Now()
	}
	if o.TTL == 0 {
		o.TTL = i.cfg.TokenTTL
	}
	if o.Audience == nil {
		o.Audience = []string{i.cfg.Audience}
	}
	if o.Issuer == "" {
		o.Issuer = i.cfg.Issuer
	}
	if c.AuthTime == 0 {
		c.AuthTime = o.IssuedAt.Unix()
	}
	std := jwt.Claims{
		Issuer: o.Issuer, Subject: c.Subject, Audience: jwt.Audience(o.Audience), ID: randomID()[:22],
		IssuedAt: jwt.NewNumericDate(o.IssuedAt), NotBefore: jwt.NewNumericDate(o.IssuedAt.Add(-time.Second)),
		Expiry: jwt.NewNumericDate(o.IssuedAt.Add(o.TTL)),
	}
	b := jwt.Signed(i.signer).Claims(std).Claims(c)
	if o.Nonce != "" {
		b = b.Claims(map[string]any{"nonce": o.Nonce})
	}
	tok, err := b.Serialize()
	if err != nil {
		return "", fmt.Errorf("devissuer: sign token: %w", err)
	}
	return tok, nil
}

// PersonaToken mints an access token for the persona key, logged in now.
func (i *Issuer) PersonaToken(key string) (string, error) {
	p, ok := PersonaByKey(key)
	if !ok {
		return "", fmt.Errorf("devissuer: no persona %q", key)
	}
	return i.Mint(p.Claims, MintOptions{})
}

// client is a registered development client.
type client struct {
	id     string
	secret string // empty: public client (PKCE)
	// persona is the machine persona a client-credentials token is for;
	// empty with anyPersona for the CLI client.
	persona    string
	anyPersona bool
	browser    bool
}

// Well-known development clients (README.md lists them).
const (
	// WebClientID is the browser app's public client (authorization code + PKCE).
	WebClientID = "nemrefusion-web"
	// CLIClientID gets a token for any persona by client credentials with
	// the extra form field persona=<key> (nrctl token --persona).
	CLIClientID = "dev-cli"
	// CLIClientSecret is the CLI client's secret.
	CLIClientSecret = "dev-cli-secret"
)

// ClientSecret is the fixed development secret of a machine persona's
// client: "<client id>-secret", e.g. dev-payroll-system-secret.
func ClientSecret(clientID string) string { return clientID + "-secret" }

func (i *Issuer) clients() map[string]client {
	cs := map[string]client{
		WebClientID: {id: WebClientID, browser: true},
		CLIClientID: {id: CLIClientID, secret: CLIClientSecret, anyPersona: true},
	}
	for _, p := range Personas() {
		if p.Machine {
			id := p.Claims.ClientID
			cs[id] = client{id: id, secret: ClientSecret(id), persona: p.Key}
		}
	}
	return cs
}

// tokenError answers an OAuth error (RFC 6749 §5.2).
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="dev-issuer"`)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// authenticate finds the calling client: HTTP Basic or client_secret_post
// for confidential clients, client_id alone for the public web client.
func (i *Issuer) authenticate(r *http.Request) (client, bool) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, ok := i.clients()[id]
	if !ok {
		return client{}, false
	}
	if c.secret == "" {
		return c, secret == ""
	}
	return c, subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) == 1
}

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	if wait := i.failures.retryAfter(r); wait > 0 {
		tooManyFailures(w, wait)
		return
	}
	c, ok := i.authenticate(r)
	if !ok {
		i.failures.fail(r)
		tokenError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		i.clientCredentials(w, r, c)
	case "authorization_code":
		i.authorizationCode(w, r, c)
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "use authorization_code or client_credentials")
	}
}

func (i *Issuer) clientCredentials(w http.ResponseWriter, r *http.Request, c client) {
	key := c.persona
	if c.anyPersona {
		key = r.PostForm.Get("persona")
	}
	if key == "" || c.browser {
		tokenError(w, http.StatusBadRequest, "unauthorized_client", "this client may not use client credentials (dev-cli needs persona=<key>)")
		return
	}
	p, ok := PersonaByKey(key)
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("no persona %q", key))
		return
	}
	claims := p.Claims
	if c.anyPersona {
		var err error
		if claims, err = withTenant(claims, r.PostForm); err != nil {
			tokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
	}
	tok, err := i.Mint(claims, MintOptions{})
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", "cannot sign")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(i.cfg.TokenTTL / time.Second),
	})
}

func (i *Issuer) authorizationCode(w http.ResponseWriter, r *http.Request, c client) {
	code := r.PostForm.Get("code")
	i.mu.Lock()
	g, ok := i.codes[code]
	delete(i.codes, code) // one use only, even when the exchange fails
	i.mu.Unlock()
	now := i.cfg.Now()
	if !ok || now.After(g.expires) || g.clientID != c.id {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	}
	if r.PostForm.Get("redirect_uri") != g.redirectURI {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}
	claims := g.persona.Claims
	claims.AuthTime = g.authTime.Unix()
	access, err := i.Mint(claims, MintOptions{IssuedAt: now})
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", "cannot sign")
		return
	}
	id, err := i.Mint(claims, MintOptions{IssuedAt: now, Audience: []string{c.id}, Nonce: g.nonce})
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", "cannot sign")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "id_token": id, "token_type": "Bearer",
		"expires_in": int(i.cfg.TokenTTL / time.Second), "scope": "openid",
	})
}
