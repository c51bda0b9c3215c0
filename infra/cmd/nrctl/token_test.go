package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
)

func TestTokenCommand(t *testing.T) {
	t.Parallel()
	var h atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.Load().(http.Handler).ServeHTTP(w, r) }))
	defer srv.Close()
	iss, err := devissuer.New(devissuer.Config{Issuer: srv.URL + "/dev-issuer"})
	if err != nil {
		t.Fatal(err)
	}
	h.Store(http.Handler(iss))
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	vars := map[string]string{"OIDC_ISSUER": iss.URL()}
	cases := []struct {
		args   []string
		code   int
		tenant string
	}{
		{[]string{"token", "--persona", "citizen-other"}, 0, "cpr:2505884324"},
		{[]string{"token", "--client", "dev-case-system"}, 0, "municipality:101"},
		{[]string{"token", "--client", "dev-case-system", "--secret", "wrong"}, 1, ""},
		{[]string{"token", "--persona", "nobody"}, 1, ""},
		{[]string{"token"}, 2, ""},
		{[]string{"token", "--persona", "admin", "--client", "dev-case-system"}, 2, ""},
	}
	for _, c := range cases {
		r := nrctl(t, vars, c.args...)
		if r.code != c.code {
			t.Fatalf("%v: exit %d, want %d: %s %s", c.args, r.code, c.code, r.stdout, r.stderr)
		}
		if c.tenant == "" {
			continue
		}
		p, err := v.Verify(context.Background(), strings.TrimSpace(r.stdout))
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if p.Tenant() != c.tenant {
			t.Fatalf("%v: tenant %s", c.args, p.Tenant())
		}
	}
	if r := nrctl(t, map[string]string{"OIDC_ISSUER": "http://127.0.0.1:1/dev-issuer"}, "token", "--persona", "admin"); r.code != 3 {
		t.Fatalf("unreachable issuer: exit %d", r.code)
	}
	if r := nrctl(t, nil, "token", "--list"); r.code != 0 || !strings.Contains(r.stdout, "udk-caseworker") || !strings.Contains(r.stdout, "client dev-payroll-system") {
		t.Fatalf("list: %d %s", r.code, r.stdout)
	}
}
