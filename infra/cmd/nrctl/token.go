package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"nemrefusion.dk/infra/devissuer"
)

const defaultIssuer = "http://localhost:8080/dev-issuer"

func init() {
	register("token", "get a development access token for a persona or a machine client (nrctl token --help)", runToken)
}

// runToken gets a token from the development issuer by client credentials:
// for a named persona through the dev CLI client, or for a machine client
// with its own id and secret. It prints the access token alone (for
// $(nrctl token ...)) or, with --json, the issuer's whole answer.
func runToken(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	issuer := fs.String("issuer", e.get("OIDC_ISSUER", defaultIssuer), "issuer URL (env OIDC_ISSUER)")
	persona := fs.String("persona", "", "persona key (see --list)")
	clientID := fs.String("client", "", "machine client id, e.g. dev-payroll-system (client credentials)")
	secret := fs.String("secret", e.getenv("NR_CLIENT_SECRET"), "client secret (env NR_CLIENT_SECRET; dev-* clients default to <id>-secret)")
	asJSON := fs.Bool("json", false, "print the issuer's whole JSON answer")
	list := fs.Bool("list", false, "list the personas and machine clients of the development issuer")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nrctl token (--persona KEY | --client ID [--secret S]) [--issuer URL] [--json]")
		fmt.Fprintln(e.stderr, "       nrctl token --list")
		fs.PrintDefaults()
	}
	if err := fs.Parse(splitFlags(args, "issuer", "persona", "client", "secret")); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return usageErr("%v", err)
	}
	if *list {
		for _, p := range devissuer.Personas() {
			kind := "persona"
			if p.Machine {
				kind = "client " + p.Claims.ClientID
			}
			fmt.Fprintf(e.stdout, "%-20s %-16s %-30s %s\n", p.Key, p.Claims.Role, kind, p.Label)
		}
		return nil
	}
	if fs.NArg() > 0 || (*persona == "") == (*clientID == "") {
		fs.Usage()
		return usageErr("give exactly one of --persona or --client")
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	id, sec := devissuer.CLIClientID, devissuer.CLIClientSecret
	if *persona != "" {
		form.Set("persona", *persona)
	} else {
		id, sec = *clientID, *secret
		if sec == "" && strings.HasPrefix(id, "dev-") {
			sec = devissuer.ClientSecret(id)
		}
	}
	endpoint, err := tokenEndpoint(ctx, *issuer)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(sec))
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("token answer: %w", err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("token answer (%d) is not JSON", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		return &exitError{code: 1, err: fmt.Errorf("the issuer refused: %d %s: %s", resp.StatusCode, out.Error, out.Description)}
	}
	if *asJSON {
		_, err = e.stdout.Write(body)
		return err
	}
	fmt.Fprintln(e.stdout, out.AccessToken)
	return nil
}

var httpClient = &http.Client{Timeout: 15 * time.Second}

// tokenEndpoint finds the token endpoint by OIDC discovery.
func tokenEndpoint(ctx context.Context, issuer string) (string, error) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return "", usageErr("issuer %q: %v", issuer, err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("discovery at %s (is `make run` running?): %w", u, err)
	}
	defer resp.Body.Close()
	var d struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != http.StatusOK || d.TokenEndpoint == "" {
		return "", fmt.Errorf("discovery at %s: status %d, no token_endpoint", u, resp.StatusCode)
	}
	return d.TokenEndpoint, nil
}
