package devissuer_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
)

// serveLikeLocalstack opens a real listener on 127.0.0.1 (as `make run`
// does with PUBLIC_ADDR 127.0.0.1:8080), names the issuer with PublicURL
// and mounts it at /dev-issuer/ on that origin, as infra/cmd/localstack
// does. It returns the issuer and the listener's port.
func serveLikeLocalstack(t *testing.T) (*devissuer.Issuer, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	iss, err := devissuer.New(devissuer.Config{Issuer: devissuer.PublicURL(ln.Addr().String())})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(devissuer.MountPath+"/", iss)
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return iss, port
}

// The README's address (http://localhost:8080/dev-issuer, here on the
// test's port) passes go-oidc's discovery, which requires the document's
// issuer to be exactly the URL it was fetched from (OpenID Connect
// Discovery 1.0 § 4.3), and a token from the discovered token endpoint
// verifies with the provider's verifier and with the functions' verifier
// (infra/auth, configured with OIDC_ISSUER = the issuer's URL).
func TestDiscoveryFromTheREADMEAddress(t *testing.T) {
	t.Setenv(devissuer.PublicURLEnv, "")
	iss, port := serveLikeLocalstack(t)
	readme := "http://localhost:" + port + "/dev-issuer"
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, readme)
	if err != nil {
		t.Fatalf("go-oidc discovery from %s: %v", readme, err)
	}
	if iss.URL() != readme {
		t.Fatalf("issuer URL %s, want %s", iss.URL(), readme)
	}
	var claims struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := p.Claims(&claims); err != nil || claims.JWKS != readme+"/jwks" || p.Endpoint().TokenURL != readme+"/token" ||
		p.Endpoint().AuthURL != readme+"/authorize" {
		t.Fatalf("endpoints not under the issuer: jwks %q token %q authorize %q (%v)", claims.JWKS, p.Endpoint().TokenURL, p.Endpoint().AuthURL, err)
	}
	status, out := postForm(t, http.DefaultClient, p.Endpoint().TokenURL,
		url.Values{"grant_type": {"client_credentials"}, "persona": {"employer"}}, devissuer.CLIClientID, devissuer.CLIClientSecret)
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, out)
	}
	raw, _ := out["access_token"].(string)
	tok, err := p.Verifier(&oidc.Config{ClientID: "nemrefusion"}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("the provider's verifier refuses the issuer's token: %v", err)
	}
	if tok.Issuer != readme {
		t.Fatalf("iss %q, want %q", tok.Issuer, readme)
	}
	if _, err := auth.NewVerifier(iss.URL(), "nemrefusion").Verify(ctx, raw); err != nil {
		t.Fatalf("the functions' verifier (OIDC_ISSUER=%s) refuses the token: %v", iss.URL(), err)
	}
}

// DEV_ISSUER_PUBLIC_URL names the issuer whatever the listener (a proxy
// in front, another host name); a trailing slash is dropped.
func TestPublicURLFromTheEnvironment(t *testing.T) {
	t.Setenv(devissuer.PublicURLEnv, "https://dev.example.org/dev-issuer/")
	if got := devissuer.PublicURL("127.0.0.1:8080"); got != "https://dev.example.org/dev-issuer" {
		t.Fatalf("PublicURL = %q", got)
	}
	t.Setenv(devissuer.PublicURLEnv, "")
	for addr, want := range map[string]string{
		"127.0.0.1:8080":  "http://localhost:8080/dev-issuer",
		"[::1]:8080":      "http://localhost:8080/dev-issuer",
		"0.0.0.0:8080":    "http://localhost:8080/dev-issuer",
		":8080":           "http://localhost:8080/dev-issuer",
		"10.0.0.7:8080":   "http://10.0.0.7:8080/dev-issuer",
		"dev.example:80":  "http://dev.example:80/dev-issuer",
		"localhost:18080": "http://localhost:18080/dev-issuer",
	} {
		if got := devissuer.PublicURL(addr); got != want {
			t.Errorf("PublicURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
