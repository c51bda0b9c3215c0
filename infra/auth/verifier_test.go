package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
)

// Tokens of the real development issuer: only a current token signed by the
// issuer's key, for the audience and from the issuer, gives a principal.
func TestVerifyRefusesEveryBadToken(t *testing.T) {
	t.Parallel()
	iss, _ := testIssuer(t)
	other, err := devissuer.New(devissuer.Config{Issuer: iss.URL()}) // same issuer URL, another key
	if err != nil {
		t.Fatal(err)
	}
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	citizen, _ := devissuer.PersonaByKey(devissuer.PersonaCitizen)
	mint := func(i *devissuer.Issuer, c auth.Claims, o devissuer.MintOptions) string {
		tok, err := i.Mint(c, o)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	noCPR := citizen.Claims
	noCPR.CPR = ""
	badRole := citizen.Claims
	badRole.Role = "king"
	cases := []struct {
		name string
		tok  string
	}{
		{"empty", ""},
		{"garbage", "not.a.jwt"},
		{"expired", mint(iss, citizen.Claims, devissuer.MintOptions{IssuedAt: time.Now().Add(-time.Hour), TTL: 15 * time.Minute})},
		{"wrongly signed", mint(other, citizen.Claims, devissuer.MintOptions{})},
		{"wrong audience", mint(iss, citizen.Claims, devissuer.MintOptions{Audience: []string{"someone-else"}})},
		{"wrong issuer", mint(iss, citizen.Claims, devissuer.MintOptions{Issuer: "http://evil.example/dev-issuer"})},
		{"citizen without cpr", mint(iss, noCPR, devissuer.MintOptions{})},
		{"unknown role", mint(iss, badRole, devissuer.MintOptions{})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), c.tok)
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("want ErrInvalidToken, got %v (principal %v)", err, p.Subject)
			}
		})
	}
	t.Run("good", func(t *testing.T) {
		p, err := v.Verify(context.Background(), mint(iss, citizen.Claims, devissuer.MintOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		if p.Subject != "dev:citizen" || p.Role != auth.RoleCitizen || p.CPR.String() != citizen.Claims.CPR ||
			p.LoA != auth.LoASubstantial || time.Since(p.AuthTime) > time.Minute || p.Tenant() != "cpr:"+citizen.Claims.CPR {
			t.Fatalf("principal: %+v", p)
		}
	})
}

func TestVerifyUnreachableIssuerIsUnavailable(t *testing.T) {
	t.Parallel()
	v := auth.NewVerifier("http://127.0.0.1:1/dev-issuer", "nemrefusion")
	_, err := v.Verify(context.Background(), "a.b.c")
	if !errors.Is(err, auth.ErrIssuerUnavailable) {
		t.Fatalf("want ErrIssuerUnavailable, got %v", err)
	}
}

// Every persona's token gives the principal its claims describe.
func TestEveryPersonaVerifies(t *testing.T) {
	t.Parallel()
	iss, _ := testIssuer(t)
	v := auth.NewVerifier(iss.URL(), "nemrefusion")
	ps := devissuer.Personas()
	if len(ps) < 15 {
		t.Fatalf("want every role's personas, got %d", len(ps))
	}
	seen := map[auth.Role]bool{}
	for _, per := range ps {
		tok, err := iss.PersonaToken(per.Key)
		if err != nil {
			t.Fatal(err)
		}
		p, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatalf("%s: %v", per.Key, err)
		}
		if p.Role != per.Claims.Role || p.Subject != per.Claims.Subject || p.Tenant() == "" || p.OnBehalfOf() != per.Claims.OnBehalfOf {
			t.Fatalf("%s: principal %+v", per.Key, p)
		}
		seen[p.Role] = true
	}
	for _, r := range auth.Roles() {
		if !seen[r] {
			t.Errorf("no persona has role %s", r)
		}
	}
}
