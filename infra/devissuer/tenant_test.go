package devissuer_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"nemrefusion.dk/events/ids"
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
			// Subjects are logged: no CPR number nor its date of birth.
			if strings.Contains(p.Subject, "120385") {
				t.Fatalf("subject %q holds a CPR number or its date of birth", p.Subject)
			}
			if cpr := c.form.Get("cpr"); cpr != "" && !strings.HasSuffix(p.Subject, ":"+ids.MustCPR(cpr).Pseudonym()) {
				t.Fatalf("subject %q does not end in the CPR's pseudonym", p.Subject)
			}
		})
	}
}

// A tenant CPR number names the subject by its pseudonym: the same for
// every token of one person while the issuer runs (their drafts and rate
// limits stay theirs), another for another person.
func TestTenantSubjectPerPerson(t *testing.T) {
	t.Parallel()
	iss, _ := serve(t)
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	subject := func(cpr string) string {
		form := url.Values{"grant_type": {"client_credentials"}, "persona": {"self-employed"}, "cpr": {cpr}}
		status, out := postForm(t, http.DefaultClient, iss.URL()+"/token", form, devissuer.CLIClientID, devissuer.CLIClientSecret)
		if status != 200 {
			t.Fatalf("status %d: %v", status, out)
		}
		p, err := v.Verify(context.Background(), out["access_token"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return p.Subject
	}
	a, again, b := subject("1203854321"), subject("120385-4321"), subject("1203854323")
	if a != again || a == b {
		t.Fatalf("subjects %q, %q (same person), %q (another)", a, again, b)
	}
}
