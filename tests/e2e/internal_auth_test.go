package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// Issue 16 (High): internal traffic was not authenticated. These tests
// attack the running stack from outside the broker.

// forgedProbe is a structured-mode probe claiming an administrator as its
// actor: what an attacker posts straight to a function's port.
func forgedProbe(stream string) string {
	return fmt.Sprintf(`{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":"/nemrefusion/intake","id":"forged-%d",`+
		`"partitionkey":%q,"actor":"admin:mallory","actorrole":"admin","tenant":"admin","datacontenttype":"application/json","data":{"note":"forged"}}`,
		time.Now().UnixNano(), stream)
}

func postRaw(t *testing.T, method, u, contentType, body, bearer string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// "a forged event posted straight to a function's port (claiming an admin
// actor role) got 202 and a ledger entry": now every function's receiver
// answers 401 to anything but the broker's token, and nothing is written.
func TestForgedEventStraightToAFunctionPortIsRefused(t *testing.T) {
	fns := stack.Get().Functions()
	if len(fns) == 0 {
		t.Fatal("no functions running")
	}
	// A user's token is not the broker's: the same 401.
	userToken := token(t, devissuer.PersonaAdmin)
	for name, base := range fns {
		t.Run(name, func(t *testing.T) {
			stream := fmt.Sprintf("forged-%s-%d", name, time.Now().UnixNano())
			for _, bearer := range []string{"", "forged", userToken} {
				code, body, h := postRaw(t, http.MethodPost, base+"/", "application/cloudevents+json", forgedProbe(stream), bearer)
				if code != http.StatusUnauthorized {
					t.Fatalf("forged event to %s (bearer %.8q…): %d %.200s, want 401", name, bearer, code, body)
				}
				if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("401 without a Bearer challenge: %q", h.Get("WWW-Authenticate"))
				}
			}
			time.Sleep(300 * time.Millisecond) // anything accepted would be committed by now
			var n int
			if err := db(t).QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1`, stream).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("forged event to %s left %d ledger entries", name, n)
			}
		})
	}
}

// The functions listen on loopback only: a function's port is not reachable
// on this machine's other addresses.
func TestFunctionsListenOnLoopbackOnly(t *testing.T) {
	var ip net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			ip = n.IP
			break
		}
	}
	if ip == nil {
		t.Skip("this machine has no non-loopback IPv4 address to try")
	}
	for name, base := range stack.Get().Functions() {
		u, _ := url.Parse(base)
		for _, port := range []string{u.Port(), portOf(t, stack.Get().Metrics()[name])} {
			c, err := net.DialTimeout("tcp", net.JoinHostPort(ip.String(), port), time.Second)
			if err == nil {
				c.Close()
				t.Errorf("%s answers on %s:%s: it must listen on 127.0.0.1 only", name, ip, port)
			}
		}
	}
}

func portOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// "the portal's route for / also exposes its event receiver ... on the
// public origin": POST / there is now refused by the gateway.
func TestPublicOriginDoesNotTakeCloudEventsAtTheRoot(t *testing.T) {
	pub := stack.Get().URL()
	code, body, _ := postRaw(t, http.MethodPost, pub+"/", "application/cloudevents+json", forgedProbe("forged-public"), "")
	if code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
		t.Errorf("POST / (structured CloudEvent) on the public origin: %d %.200s, want 404 or 405", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, pub+"/", strings.NewReader(`{"note":"forged"}`))
	for k, v := range map[string]string{"Ce-Specversion": "1.0", "Ce-Type": "dk.nemrefusion.system.probe.requested.v1",
		"Ce-Source": "/nemrefusion/intake", "Ce-Id": "forged-binary", "Content-Type": "application/json"} {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / (binary CloudEvent) on the public origin: %d, want 404 or 405", resp.StatusCode)
	}
	// The app itself is still served.
	resp, err = http.Get(pub + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET / on the public origin: %d %s, want the app", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// "... and /metrics on the public origin": /metrics is a 404 there and on
// every function's app port, and served on each function's metrics port.
func TestMetricsOnlyOnTheMetricsPort(t *testing.T) {
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(stack.Get().URL() + "/metrics"); code != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
		t.Errorf("GET /metrics on the public origin: %d %.200s, want 404", code, body)
	}
	metrics := stack.Get().Metrics()
	for name, base := range stack.Get().Functions() {
		if code, body := get(base + "/metrics"); code != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
			t.Errorf("GET /metrics on %s's app port: %d, want 404", name, code)
		}
		if code, body := get(metrics[name]); code != http.StatusOK || !strings.Contains(body, "nemrefusion_events_handled_total") && !strings.Contains(body, "go_goroutines") {
			t.Errorf("GET %s (%s's metrics port): %d %.200s, want the metrics", metrics[name], name, code, body)
		}
	}
}

// "The local stack's Digital Post and NemSMS stand-ins are on the public
// origin without login (anyone lists every letter with full CPR and label,
// and can post letters)": they are now on their own loopback listener.
func TestPostStandInsAreNotOnThePublicOrigin(t *testing.T) {
	pub := stack.Get().URL()
	for _, p := range []string{stack.DigitalPostPath + "/memo/v1/received", stack.NemSMSPath + "/nemsms/v1/received"} {
		resp, err := http.Get(pub + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The portal answers every other GET with the app's page (the app
		// routes in the browser); what must not come back is the listing.
		if resp.StatusCode == http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s on the public origin served %s: %.200s", p, resp.Header.Get("Content-Type"), b)
		}
		resp, err = http.Get(stack.StandInsURL() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			t.Errorf("GET %s on the stand-ins' own listener: %d %s, want the listing", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	for _, p := range []string{stack.DigitalPostPath + "/memo/v1/messages", stack.DigitalPostPath + "/print/v1/letters", stack.NemSMSPath + "/nemsms/v1/messages"} {
		if code, body, _ := postRaw(t, http.MethodPost, pub+p, "application/json", `{}`, ""); code != http.StatusNotFound && code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s on the public origin: %d %.200s, want 404 or 405", p, code, body)
		}
	}
}
