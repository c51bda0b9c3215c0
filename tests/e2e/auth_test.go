package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

var (
	dbOnce sync.Once
	dbPool *pgxpool.Pool
	dbErr  error
)

// db is the stack's database (the fresh one stack.Run created).
func db(t *testing.T) *pgxpool.Pool {
	t.Helper()
	dbOnce.Do(func() {
		u := os.Getenv("DATABASE_URL")
		if u == "" {
			u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		dbPool, dbErr = pgxpool.New(context.Background(), u)
	})
	if dbErr != nil {
		t.Fatal(dbErr)
	}
	return dbPool
}

type reply struct {
	status int
	www    string
	body   string
}

func (r reply) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(r.body), &m)
	return m
}

// deadLetters is where the dead-letter list is reached: the HTTPRoute does
// not expose it on the public origin (an operator route), so the test calls
// the function directly, which checks the token all the same.
const deadLetters = "deadletter:/api/v1/dead-letters"

// do sends method path (with body for POST) with the bearer token tok (""
// for none) to the public origin, or to a function with "<function>:<path>".
func do(t *testing.T, tok, method, path, body string) reply {
	t.Helper()
	base := stack.Get().URL()
	if fn, p, ok := strings.Cut(path, ":"); ok {
		base, path = stack.Get().Functions()[fn], p
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/cloudevents+json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, www: resp.Header.Get("WWW-Authenticate"), body: string(b)}
}

func probe(stream string) string {
	return fmt.Sprintf(`{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":"/e2e/auth","id":"%s-%d","partitionkey":"%s","datacontenttype":"application/json","data":{"note":"authz"}}`,
		stream, time.Now().UnixNano(), stream)
}

// denials counts access-denied ledger entries of actor for resource.
func denials(t *testing.T, actor, resource string) int {
	t.Helper()
	var n int
	err := db(t).QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries
		WHERE stream = $1 AND event_type = $2 AND actor = $3 AND reason::jsonb->>'resource' = $4`,
		auth.StreamAccessDenied, auth.EventAccessDenied, actor, resource).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// entriesBy counts the entries actor has in stream.
func entriesBy(t *testing.T, stream, actor string) int {
	t.Helper()
	var n int
	if err := db(t).QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND actor = $2`, stream, actor).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func tenantOf(t *testing.T, p devissuer.Persona) string {
	t.Helper()
	pr, err := p.Claims.Principal()
	if err != nil {
		t.Fatal(err)
	}
	return pr.Tenant()
}

// The authorisation matrix: every public endpoint, every persona (every
// role, two tenants for the tenanted ones), its own and a foreign tenant's
// resource. Every foreign access is refused, looks the same whether or not
// the resource exists, and is recorded in the ledger. The audit stream view
// and the dead-letter list are for administrators only (caseworkers of the
// stream's municipality follow with the case issue).
func TestAuthorisationMatrix(t *testing.T) {
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	// Two streams owned by two different tenants; each persona's foreign
	// stream is the one its tenant does not own.
	ownerA, _ := devissuer.PersonaByKey(devissuer.PersonaEmployer)
	ownerB, _ := devissuer.PersonaByKey(devissuer.PersonaCitizenOther)
	streamA, streamB := "authz-a-"+run, "authz-b-"+run
	for stream, owner := range map[string]devissuer.Persona{streamA: ownerA, streamB: ownerB} {
		if r := do(t, token(t, owner.Key), "POST", "/api/v1/events", probe(stream)); r.status != http.StatusAccepted {
			t.Fatalf("owner %s: %d %s", owner.Key, r.status, r.body)
		}
	}
	missing := "authz-missing-" + run

	for _, p := range devissuer.Personas() {
		t.Run(p.Key, func(t *testing.T) {
			t.Parallel()
			tok := token(t, p.Key)
			sub := p.Claims.Subject
			foreign := streamA
			if tenantOf(t, p) == tenantOf(t, ownerA) {
				foreign = streamB
			}

			// POST /api/v1/events: own new stream accepted, foreign stream and
			// system streams refused (403) and recorded, nothing written there.
			own := "authz-own-" + p.Key + "-" + run
			if r := do(t, tok, "POST", "/api/v1/events", probe(own)); r.status != http.StatusAccepted {
				t.Fatalf("own stream: %d %s", r.status, r.body)
			}
			if r := do(t, tok, "POST", "/api/v1/events", probe(own)); r.status != http.StatusAccepted {
				t.Fatalf("own stream again: %d %s", r.status, r.body)
			}
			for _, s := range []string{foreign, auth.StreamAccessDenied, auth.ReadStream(own)} {
				before := denials(t, sub, s)
				r := do(t, tok, "POST", "/api/v1/events", probe(s))
				if r.status != http.StatusForbidden || r.json()["code"] != "forbidden" {
					t.Fatalf("post to %s: %d %s", s, r.status, r.body)
				}
				if n := denials(t, sub, s) - before; n != 1 {
					t.Fatalf("post to %s: %d new denials in the ledger", s, n)
				}
			}
			if n := entriesBy(t, foreign, sub); n != 0 {
				t.Fatalf("a refused post left %d entries in the foreign stream", n)
			}

			// GET /api/v1/audit/streams/{stream}: administrators only.
			paths := map[string]string{"own": own, "foreign": foreign, "missing": missing}
			if p.Key == devissuer.PersonaAdmin {
				for what, s := range paths {
					r := do(t, tok, "GET", "/api/v1/audit/streams/"+s, "")
					if r.status != http.StatusOK {
						t.Fatalf("admin reads %s stream: %d %s", what, r.status, r.body)
					}
					if n := entriesBy(t, auth.ReadStream(s), sub); n < 1 {
						t.Fatalf("admin's read of %s is not in the ledger", what)
					}
				}
			} else {
				var bodies []string
				for what, s := range paths {
					before := denials(t, sub, s)
					r := do(t, tok, "GET", "/api/v1/audit/streams/"+s, "")
					if r.status != http.StatusNotFound {
						t.Fatalf("read %s stream: %d %s", what, r.status, r.body)
					}
					bodies = append(bodies, r.body)
					if n := denials(t, sub, s) - before; n != 1 {
						t.Fatalf("read %s stream: %d new denials in the ledger", what, n)
					}
				}
				if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
					t.Fatalf("refusals differ, so they tell what exists: %q", bodies)
				}
			}

			// GET /api/v1/dead-letters: administrators only.
			before := denials(t, sub, "dead-letters")
			r := do(t, tok, "GET", deadLetters, "")
			if p.Key == devissuer.PersonaAdmin {
				if r.status != http.StatusOK {
					t.Fatalf("admin lists dead letters: %d %s", r.status, r.body)
				}
			} else {
				if r.status != http.StatusForbidden || r.json()["code"] != "forbidden" {
					t.Fatalf("dead letters: %d %s", r.status, r.body)
				}
				if n := denials(t, sub, "dead-letters") - before; n != 1 {
					t.Fatalf("dead letters: %d new denials in the ledger", n)
				}
			}
		})
	}
}

// Every public endpoint refuses a missing, expired, wrongly signed,
// wrong-audience or wrong-issuer token with 401, a bilingual problem and
// WWW-Authenticate.
func TestBadTokensAreRefusedWith401(t *testing.T) {
	t.Parallel()
	iss := stack.Issuer()
	other, err := devissuer.New(devissuer.Config{Issuer: iss.URL()}) // same issuer URL, another key
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := devissuer.PersonaByKey(devissuer.PersonaAdmin)
	mint := func(i *devissuer.Issuer, o devissuer.MintOptions) string {
		tok, err := i.Mint(admin.Claims, o)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tokens := map[string]string{
		"none":           "",
		"expired":        mint(iss, devissuer.MintOptions{IssuedAt: time.Now().Add(-time.Hour)}),
		"wrongly signed": mint(other, devissuer.MintOptions{}),
		"wrong audience": mint(iss, devissuer.MintOptions{Audience: []string{"another-service"}}),
		"wrong issuer":   mint(iss, devissuer.MintOptions{Issuer: "http://127.0.0.1:1/dev-issuer"}),
	}
	endpoints := []struct{ method, path, body string }{
		{"POST", "/api/v1/events", probe("authn-" + fmt.Sprint(time.Now().UnixNano()))},
		{"GET", "/api/v1/audit/streams/anything", ""},
		{"GET", deadLetters, ""},
	}
	for name, tok := range tokens {
		for _, e := range endpoints {
			r := do(t, tok, e.method, e.path, e.body)
			m := r.json()
			if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.www, "Bearer ") || m["da"] == "" || m["en"] == "" {
				t.Errorf("%s token on %s %s: %d %q %s", name, e.method, e.path, r.status, r.www, r.body)
			}
		}
	}
	// The same admin token, correctly minted, passes: the cases above fail
	// for their one defect.
	if r := do(t, mint(iss, devissuer.MintOptions{}), "GET", deadLetters, ""); r.status != http.StatusOK {
		t.Fatalf("good token: %d %s", r.status, r.body)
	}
}

var loginField = regexp.MustCompile(`name="login" value="([^"]+)"`)

// A token from client credentials (as with curl) and one from the browser
// flow (authorization code with PKCE, the persona picked on the login page)
// both let their holder post a probe, recorded under their own identity.
func TestTokensFromCurlAndFromTheBrowser(t *testing.T) {
	t.Parallel()
	base := stack.Get().URL()

	// curl -u dev-payroll-system:dev-payroll-system-secret -d grant_type=client_credentials .../dev-issuer/token
	req, _ := http.NewRequest("POST", base+"/dev-issuer/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("dev-payroll-system", devissuer.ClientSecret("dev-payroll-system"))
	machine := tokenFrom(t, req)
	stream := fmt.Sprintf("curl-%d", time.Now().UnixNano())
	if code, out := postEventAs(t, machine, probe(stream)); code != http.StatusAccepted {
		t.Fatalf("machine post: %d %v", code, out)
	}
	if n := entriesBy(t, stream, "dev-payroll-system"); n != 1 {
		t.Fatalf("machine's submission: %d entries", n)
	}

	// The browser: PKCE, login page, persona form, redirect back with a code.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifier := "e2e-verifier-" + strings.Repeat("x", 40)
	sum := sha256.Sum256([]byte(verifier))
	redirect := base + "/callback"
	q := url.Values{"response_type": {"code"}, "client_id": {devissuer.WebClientID}, "redirect_uri": {redirect}, "scope": {"openid"},
		"state": {"st"}, "nonce": {"no"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, err := browser.Get(base + "/dev-issuer/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginField.FindStringSubmatch(string(page))
	if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(string(page), "Vælg en testperson") {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	resp, err = browser.PostForm(base+"/dev-issuer/authorize", url.Values{"login": {m[1]}, "persona": {devissuer.PersonaCitizen}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(back.String(), redirect) || back.Query().Get("state") != "st" {
		t.Fatalf("redirect: %d %s", resp.StatusCode, back)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {redirect},
		"client_id": {devissuer.WebClientID}, "code_verifier": {verifier}}
	req, _ = http.NewRequest("POST", base+"/dev-issuer/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	person := tokenFrom(t, req)
	stream = fmt.Sprintf("browser-%d", time.Now().UnixNano())
	if code, out := postEventAs(t, person, probe(stream)); code != http.StatusAccepted {
		t.Fatalf("browser post: %d %v", code, out)
	}
	var role string
	if err := db(t).QueryRow(context.Background(), `SELECT role FROM ledger.entries WHERE stream = $1 AND actor = 'dev:citizen'`, stream).Scan(&role); err != nil || role != "citizen" {
		t.Fatalf("citizen's submission in the ledger: %q %v", role, err)
	}
}
