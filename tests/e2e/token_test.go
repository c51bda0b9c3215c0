package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// token gets an access token for a development persona (devissuer.Persona*
// keys) from the stack's development issuer, over HTTP, as `nrctl token
// --persona` does: client credentials of the dev CLI client plus persona.
func token(t *testing.T, persona string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "persona": {persona}}
	req, err := http.NewRequest("POST", stack.Get().URL()+"/dev-issuer/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(devissuer.CLIClientID, devissuer.CLIClientSecret)
	return tokenFrom(t, req)
}

// tokenFrom sends a token request and returns the access token.
func tokenFrom(t *testing.T, req *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		t.Fatalf("token: %d %s %v", resp.StatusCode, out.Error, err)
	}
	return out.AccessToken
}
