package stack

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
)

// pushSinkEnv is the delivery function's test-only push settings: trust
// the certificate every httptest TLS server presents (net/http's built-in
// test certificate, the same for every server) and allow sinks on
// loopback, where the tests' sinks listen. Neither is ever set outside
// tests: by default a sink must be a public https address.
func pushSinkEnv(data string) []string {
	s := httptest.NewUnstartedServer(http.NotFoundHandler())
	s.StartTLS()
	cert := s.Certificate()
	s.Close()
	path := filepath.Join(data, "push-sink-ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "push sink CA:", err)
		return nil
	}
	return []string{"DELIVERY_PUSH_ROOT_CAS=" + path, "DELIVERY_PUSH_ALLOW_LOOPBACK=true"}
}

// PushSink starts an https push sink for the stack's delivery function
// (httptest.NewTLSServer, whose certificate the stack trusts); close it
// when done.
func PushSink(h http.Handler) *httptest.Server { return httptest.NewTLSServer(h) }
