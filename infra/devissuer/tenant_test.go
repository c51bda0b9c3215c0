package devissuer_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
)

// The dev CLI client may name the tenant of a persona's token (load
// generators act for every synthetic company); only the numbers the
// persona's role carries, well formed, and only for the CLI client.
func TestClientCredentialsWithTenant(t *testing.T) {
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
		{"employer of another cvr", url.Values{"persona": {"employer"}, "cvr": {"12345674"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 200, "cvr:12345674"},
		{"self-employed", url.Values{"persona": {"self-employed"}, "cvr": {"12345682"}, "cpr": {"1203854321"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 200, "cvr:12345682"},
		{"case system of 147", url.Values{"persona": {"case-system"}, "municipality": {"147"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 200, "municipality:147"},
		{"malformed cvr", url.Values{"persona": {"employer"}, "cvr": {"12345"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 400, ""},
		{"field the role lacks", url.Values{"persona": {"employer"}, "municipality": {"101"}}, devissuer.CLIClientID, devissuer.CLIClientSecret, 400, ""},
		{"machine client ignores it", url.Values{"cvr": {"12345674"}}, "dev-payroll-system", "dev-payroll-system-secret", 200, "cvr:30000005"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("grant_type", "client_credentials")
			status, out := postForm(t, http.DefaultClient, iss.URL()+"/token", c.form, c.user, c.secret)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, out)
			}
			if status != 200 {
				return
			}
			p, err := v.Verify(context.Background(), out["access_token"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if p.Tenant() != c.tenant {
				t.Fatalf("tenant %s, want %s", p.Tenant(), c.tenant)
			}
			if strings.Contains(p.Subject, "1203854321") {
				t.Fatalf("subject %q holds a CPR number", p.Subject)
			}
		})
	}
}
