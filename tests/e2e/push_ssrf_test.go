package e2e

import (
	"net/http"
	"testing"

	"nemrefusion.dk/infra/devissuer"
)

// Finding (issue 16): "the push-sink URL accepts loopback, link-local and
// plain http [...] (an SSRF port scanner)". On the running stack a case
// system cannot point its push sink at plain http, the cloud metadata
// address, a private or unique-local address, or give user information;
// the refusal is one field error whatever the reason. (The stack allows
// loopback for its own test sinks; the function's unit tests check that
// the default refuses loopback too.)
func TestPushSinkRefusesInternalAddressesOnTheStack(t *testing.T) {
	cs, _ := devissuer.PersonaByKey(devissuer.PersonaCaseSystem)
	for _, u := range []string{
		"http://example.com/ksd", "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/", "https://192.168.0.10:5432/",
		"https://[fd00::1]/", "https://[fe80::1]/", "https://user:secret@example.com/", "https://0.0.0.0/",
	} {
		var out map[string]any
		if code := dlvCall(t, cs.Claims, http.MethodPut, "/api/v1/deliveries/101/sink", map[string]string{"url": u}, &out); code != http.StatusBadRequest {
			t.Errorf("PUT sink %s: %d, want 400", u, code)
		}
	}
}
