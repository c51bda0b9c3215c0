package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
)

type answer struct {
	status int
	www    string
	body   map[string]any
}

func call(t *testing.T, h http.Handler, token string) answer {
	t.Helper()
	r := httptest.NewRequest("GET", "/api/v1/things/1", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	a := answer{status: w.Code, www: w.Header().Get("WWW-Authenticate")}
	_ = json.Unmarshal(w.Body.Bytes(), &a.body)
	return a
}

// Require answers 401 with WWW-Authenticate and a bilingual problem for
// missing and bad tokens, 403 for a role it does not admit (recorded in the
// ledger), and passes the principal on otherwise.
func TestRequire(t *testing.T) {
	t.Parallel()
	iss, _ := testIssuer(t)
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	db := testDB(t)
	v.Ledger = db
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, found := auth.FromContext(r.Context())
		if !found {
			t.Error("no principal in context")
		}
		w.Header().Set("X-Sub", p.Subject)
		w.WriteHeader(http.StatusOK)
	})
	adminOnly := auth.Require(v, auth.RoleAdmin)(ok)
	anyone := auth.Require(v)(ok)

	expired, _ := iss.Mint(mustPersona(t, devissuer.PersonaAdmin).Claims, devissuer.MintOptions{IssuedAt: time.Now().Add(-time.Hour)})
	for name, tok := range map[string]string{"none": "", "garbage": "x.y.z", "expired": expired} {
		a := call(t, adminOnly, tok)
		if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.www, "Bearer realm=") || a.body["da"] == "" || a.body["en"] == "" || a.body["status"] != 401.0 {
			t.Errorf("%s: %+v", name, a)
		}
		if tok != "" && !strings.Contains(a.www, `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate %q", name, a.www)
		}
	}

	admin, _ := iss.PersonaToken(devissuer.PersonaAdmin)
	if a := call(t, adminOnly, admin); a.status != http.StatusOK {
		t.Fatalf("admin: %+v", a)
	}

	// A citizen with a unique subject, so its denial can be found.
	c := mustPersona(t, devissuer.PersonaCitizen).Claims
	c.Subject = randomName("dev:test-citizen-")
	citizen, _ := iss.Mint(c, devissuer.MintOptions{})
	if a := call(t, anyone, citizen); a.status != http.StatusOK {
		t.Fatalf("citizen on an open route: %+v", a)
	}
	a := call(t, adminOnly, citizen)
	if a.status != http.StatusForbidden || a.body["code"] != "forbidden" {
		t.Fatalf("citizen on admin route: %+v", a)
	}
	var n int
	var reason string
	err := db.QueryRow(context.Background(), `SELECT count(*), max(reason::text) FROM ledger.entries
		WHERE stream = $1 AND actor = $2 AND role = 'citizen' AND event_type = $3`, auth.StreamAccessDenied, c.Subject, auth.EventAccessDenied).Scan(&n, &reason)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || !strings.Contains(reason, `"reason":"role"`) || !strings.Contains(reason, "/api/v1/things/1") {
		t.Fatalf("denial in ledger: %d %s", n, reason)
	}
}

// RequireFreshLogin admits a login of at most maxAge and asks for a new
// login (RFC 9470 step-up) otherwise.
func TestRequireFreshLogin(t *testing.T) {
	t.Parallel()
	iss, _ := testIssuer(t)
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	h := auth.Require(v)(auth.RequireFreshLogin(5 * time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	c := mustPersona(t, devissuer.PersonaCitizen).Claims
	fresh, _ := iss.Mint(c, devissuer.MintOptions{})
	c.AuthTime = time.Now().Add(-6 * time.Minute).Unix()
	old, _ := iss.Mint(c, devissuer.MintOptions{}) // a token issued now for a login 6 minutes ago
	if a := call(t, h, fresh); a.status != http.StatusNoContent {
		t.Fatalf("fresh: %+v", a)
	}
	a := call(t, h, old)
	if a.status != http.StatusUnauthorized || a.body["code"] != "login-too-old" ||
		!strings.Contains(a.www, `error="insufficient_user_authentication"`) || !strings.Contains(a.www, "max_age=300") {
		t.Fatalf("old login: %+v", a)
	}
}

// A signed action names who signed, with which assurance, on whose behalf.
func TestSignedEntry(t *testing.T) {
	t.Parallel()
	p := principal(t, devissuer.PersonaProxy)
	e := auth.SignedEntry(p, ledger.Entry{Stream: "s"})
	var r auth.Signature
	if err := json.Unmarshal(e.Reason, &r); err != nil {
		t.Fatal(err)
	}
	if e.Actor != "dev:proxy" || e.Role != "proxy" || e.OnBehalfOf != "0808404331" || !r.Signed || r.LoA != auth.LoASubstantial {
		t.Fatalf("entry %+v reason %s", e, e.Reason)
	}
}

func mustPersona(t *testing.T, key string) devissuer.Persona {
	t.Helper()
	p, ok := devissuer.PersonaByKey(key)
	if !ok {
		t.Fatalf("no persona %s", key)
	}
	return p
}
