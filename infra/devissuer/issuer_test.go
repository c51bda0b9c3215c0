package devissuer_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
)

func serve(t *testing.T) (*devissuer.Issuer, *httptest.Server) {
	t.Helper()
	var h atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	iss, err := devissuer.New(devissuer.Config{Issuer: srv.URL + "/dev-issuer"})
	if err != nil {
		t.Fatal(err)
	}
	h.Store(http.Handler(iss))
	return iss, srv
}

func postForm(t *testing.T, c *http.Client, u string, v url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestDiscoveryAndJWKS(t *testing.T) {
	t.Parallel()
	iss, srv := serve(t)
	resp, err := http.Get(iss.URL() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["issuer"] != srv.URL+"/dev-issuer" || d["token_endpoint"] != srv.URL+"/dev-issuer/token" || d["jwks_uri"] != srv.URL+"/dev-issuer/jwks" {
		t.Fatalf("discovery: %v", d)
	}
	resp, err = http.Get(iss.URL() + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	var ks struct {
		Keys []map[string]any `json:"keys"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ks)
	resp.Body.Close()
	if len(ks.Keys) != 1 || ks.Keys[0]["kty"] != "RSA" || ks.Keys[0]["alg"] != "RS256" || ks.Keys[0]["d"] != nil {
		t.Fatalf("jwks: %v", ks)
	}
}

// Machine clients get tokens bound to their tenant; wrong secrets get
// invalid_client; the CLI client gets a token for a named persona.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	iss, _ := serve(t)
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	cases := []struct {
		name         string
		form         url.Values
		user, secret string
		status       int
		tenant       string
	}{
		{"payroll basic", url.Values{"grant_type": {"client_credentials"}}, "dev-payroll-system", "dev-payroll-system-secret", 200, "cvr:30000005"},
		{"case system post", url.Values{"grant_type": {"client_credentials"}, "client_id": {"dev-case-system-aarhus"}, "client_secret": {"dev-case-system-aarhus-secret"}}, "", "", 200, "municipality:751"},
		{"cli persona", url.Values{"grant_type": {"client_credentials"}, "persona": {"caseworker"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 200, "municipality:101"},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}}, "dev-payroll-system", "guess", 401, ""},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}}, "nobody", "x", 401, ""},
		{"cli without persona", url.Values{"grant_type": {"client_credentials"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 400, ""},
		{"cli unknown persona", url.Values{"grant_type": {"client_credentials"}, "persona": {"king"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 400, ""},
		{"web client", url.Values{"grant_type": {"client_credentials"}, "client_id": {devissuer.WebClientID}}, "", "", 400, ""},
		{"password grant", url.Values{"grant_type": {"password"}}, "dev-payroll-system", "dev-payroll-system-secret", 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := postForm(t, http.DefaultClient, iss.URL()+"/token", c.form, c.user, c.secret)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, out)
			}
			if status != 200 {
				if out["error"] == "" {
					t.Fatalf("no OAuth error: %v", out)
				}
				return
			}
			if out["token_type"] != "Bearer" || out["expires_in"] != 900.0 {
				t.Fatalf("answer: %v", out)
			}
			p, err := v.Verify(context.Background(), out["access_token"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if p.Tenant() != c.tenant {
				t.Fatalf("tenant %s, want %s", p.Tenant(), c.tenant)
			}
		})
	}
}

// pkce returns a verifier and its S256 challenge.
func pkce() (string, string) {
	verifier := strings.Repeat("v", 20) + "0123456789abcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

var loginField = regexp.MustCompile(`name="login" value="([^"]+)"`)

// login runs the browser's part: open the login page, pick persona, and
// return the redirect to the client.
func login(t *testing.T, iss *devissuer.Issuer, c *http.Client, q url.Values, persona string) *url.URL {
	t.Helper()
	resp, err := c.Get(iss.URL() + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<html lang="da">`) || !strings.Contains(string(page), `value="proxy"`) ||
		strings.Contains(string(page), `value="payroll-system"`) {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	m := loginField.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatal("no login field")
	}
	resp, err = c.PostForm(iss.URL()+"/authorize", url.Values{"login": {m[1]}, "persona": {persona}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login post: %d", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The browser flow: authorization code with PKCE, one use per code, the
// verifier and redirect URI must match.
func TestAuthorizationCodeWithPKCE(t *testing.T) {
	t.Parallel()
	iss, _ := serve(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifier, challenge := pkce()
	redirect := "http://127.0.0.1:5173/callback"
	q := url.Values{"response_type": {"code"}, "client_id": {devissuer.WebClientID}, "redirect_uri": {redirect},
		"state": {"s1"}, "nonce": {"n1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}, "scope": {"openid"}}
	back := login(t, iss, c, q, devissuer.PersonaProxy)
	if back.Host != "127.0.0.1:5173" || back.Query().Get("state") != "s1" || back.Query().Get("code") == "" || back.Query().Get("iss") != iss.URL() {
		t.Fatalf("redirect: %s", back)
	}
	code := back.Query().Get("code")
	exchange := func(code, verifier, redirect string) (int, map[string]any) {
		return postForm(t, c, iss.URL()+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirect}, "client_id": {devissuer.WebClientID}, "code_verifier": {verifier}}, "", "")
	}
	if status, out := exchange(code, verifier+"x", redirect); status != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", status, out)
	}
	// The failed attempt burnt the code: log in again.
	code = login(t, iss, c, q, devissuer.PersonaProxy).Query().Get("code")
	if status, out := exchange(code, verifier, "http://127.0.0.1:5173/other"); status != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("wrong redirect: %d %v", status, out)
	}
	code = login(t, iss, c, q, devissuer.PersonaProxy).Query().Get("code")
	status, out := exchange(code, verifier, redirect)
	if status != 200 {
		t.Fatalf("exchange: %d %v", status, out)
	}
	p, err := auth.NewVerifier(iss.URL(), "nemrefusion").Verify(context.Background(), out["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != auth.RoleProxy || p.OnBehalfOf() != "0808404331" || p.AuthTime.IsZero() {
		t.Fatalf("principal %+v", p)
	}
	idt, err := auth.NewVerifier(iss.URL(), devissuer.WebClientID).Verify(context.Background(), out["id_token"].(string))
	if err != nil || idt.Subject != "dev:proxy" {
		t.Fatalf("id token: %v", err)
	}
	if status, _ := exchange(code, verifier, redirect); status != 400 {
		t.Fatalf("code used twice: %d", status)
	}
}

func TestAuthorizeRefusesBadRequests(t *testing.T) {
	t.Parallel()
	iss, _ := serve(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, challenge := pkce()
	base := url.Values{"response_type": {"code"}, "client_id": {devissuer.WebClientID}, "redirect_uri": {"http://localhost:3000/cb"},
		"state": {"s"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range base {
			q[kk] = vv
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	cases := []struct {
		name   string
		q      url.Values
		status int
		errc   string
	}{
		{"foreign redirect", with("redirect_uri", "https://evil.example/cb"), 400, ""},
		{"unknown client", with("client_id", "nobody"), 400, ""},
		{"machine client", with("client_id", "dev-payroll-system"), 400, ""},
		{"no pkce", with("code_challenge", ""), 303, "invalid_request"},
		{"plain pkce", with("code_challenge_method", "plain"), 303, "invalid_request"},
		{"implicit", with("response_type", "token"), 303, "unsupported_response_type"},
	}
	for _, tc := range cases {
		resp, err := c.Get(iss.URL() + "/authorize?" + tc.q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d", tc.name, resp.StatusCode)
			continue
		}
		if tc.errc != "" {
			u, _ := url.Parse(resp.Header.Get("Location"))
			if u.Query().Get("error") != tc.errc || u.Query().Get("state") != "s" || u.Host != "localhost:3000" {
				t.Errorf("%s: redirect %s", tc.name, u)
			}
		}
	}
	// A login id is single use.
	resp, err := c.PostForm(iss.URL()+"/authorize", url.Values{"login": {"made-up"}, "persona": {"citizen"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("made-up login id: %d", resp.StatusCode)
	}
}

// The login page speaks the language the client asks for with OIDC's
// ui_locales (OpenID Connect Core 1.0 § 3.1.2.1): Danish by default, English
// for "en" (also "en-GB", or after an unsupported tag), with a link to the
// other language that keeps the request; a problem after the form is shown
// in the page's language.
func TestLoginPageFollowsUILocales(t *testing.T) {
	t.Parallel()
	iss, _ := serve(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, challenge := pkce()
	q := func(locales string) url.Values {
		v := url.Values{"response_type": {"code"}, "client_id": {devissuer.WebClientID}, "redirect_uri": {"http://localhost:3000/cb"},
			"state": {"s"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		if locales != "" {
			v.Set("ui_locales", locales)
		}
		return v
	}
	get := func(u string) string {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
		}
		return string(b)
	}
	danish := []string{"Log ind på NemRefusion", "Vælg en testperson", "Kun til udvikling", "Annullér", "Sagsbehandler i Københavns Kommune"}
	english := []string{"Log in to NemRefusion", "Choose a test person", "For development only", "Cancel", "Caseworker at the Municipality of Copenhagen"}
	for _, tc := range []struct {
		locales, lang string
		want, not     []string
	}{
		{"", "da", danish, english},
		{"da", "da", danish, english},
		{"en", "en", english, danish},
		{"en-GB da", "en", english, danish},
		{"fr en", "en", english, danish},
	} {
		page := get(iss.URL() + "/authorize?" + q(tc.locales).Encode())
		if !strings.Contains(page, `<html lang="`+tc.lang+`">`) {
			t.Errorf("ui_locales %q: not lang %s", tc.locales, tc.lang)
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("ui_locales %q: no %q", tc.locales, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(page, w) {
				t.Errorf("ui_locales %q: %q of the other language", tc.locales, w)
			}
		}
	}
	// The switch leads to the same request in the other language.
	page := get(iss.URL() + "/authorize?" + q("").Encode())
	m := regexp.MustCompile(`id="lang-switch" href="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no language switch: %s", page)
	}
	sw, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil || sw.Query().Get("ui_locales") != "en" || sw.Query().Get("code_challenge") != challenge || sw.Query().Get("state") != "s" {
		t.Fatalf("switch %q", m[1])
	}
	en := get(iss.URL() + "/authorize?" + sw.RawQuery)
	if !strings.Contains(en, "Log in to NemRefusion") || !strings.Contains(en, ">Dansk</a>") {
		t.Fatalf("switched page: %s", en)
	}
	// Posting without a persona: the problem in English.
	login := loginField.FindStringSubmatch(en)
	resp, err := c.PostForm(iss.URL()+"/authorize", url.Values{"login": {login[1]}, "ui_locales": {"en"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "Choose a test person.") || !strings.Contains(string(b), `<html lang="en">`) {
		t.Fatalf("no persona: %d %s", resp.StatusCode, b)
	}
}
