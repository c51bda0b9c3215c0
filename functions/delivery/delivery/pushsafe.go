package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime"
)

// PushConfig is the configuration of push sinks (part of Config).
type PushConfig struct {
	// PushRootCAs is a PEM file of certificate authorities trusted for
	// sinks in addition to the system's roots (a private CA; the tests'
	// httptest CA). Empty: the system's roots only.
	PushRootCAs string `envconfig:"DELIVERY_PUSH_ROOT_CAS"`
	// PushAllowLoopback lets sinks be on loopback addresses (127.0.0.0/8,
	// ::1). Only tests and the local stack set it; never in a cluster.
	PushAllowLoopback bool `envconfig:"DELIVERY_PUSH_ALLOW_LOOPBACK" default:"false"`
	// PushKeyRollover is how long the previous signing secret keeps signing
	// pushes (a second signature) after the recipient rotated its secret.
	PushKeyRollover time.Duration `envconfig:"DELIVERY_PUSH_KEY_ROLLOVER" default:"72h"`
}

// errAddressNotAllowed is the dial-time refusal of an address that is not
// a public unicast address.
var errAddressNotAllowed = errors.New("push: sink address is not a public address")

// nonPublic are the ranges no sink may be on besides what netip's own
// predicates catch (private, loopback, link-local, multicast, unspecified):
// "this network", carrier-grade NAT, IETF protocol assignments,
// documentation and benchmarking nets, reserved and broadcast, NAT64 and
// the IPv6 documentation, discard and 6to4 prefixes (which reach IPv4).
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
		"64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fec0::/10",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// publicAddr reports whether a sink may be at ip: a public unicast
// address, or a loopback address when allowLoopback (tests).
func publicAddr(ip netip.Addr, allowLoopback bool) bool {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() {
		return false
	}
	if ip.IsLoopback() {
		return allowLoopback
	}
	if ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || !ip.IsGlobalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// errSinkURL is the one field error of a sink address that may not be
// used, whatever the reason (scheme, user information, an address that
// does not resolve or is not public): it says nothing about the network
// behind the address.
func errSinkURL() error {
	return runtime.Invalid(events.FieldErrors{{Field: "url", Code: "url",
		Da: "Adressen skal være en absolut https-adresse uden brugeroplysninger, som kan nås på internettet (ikke en lokal, privat eller intern adresse).",
		En: "The address must be an absolute https URL without user information that can be reached on the internet (not a local, private or internal address)."}})
}

// checkSinkURL checks a sink address at registration: https, a host, no
// user information and no fragment, and every address the host resolves
// to public (publicAddr). The dialer checks the address again on every
// push, so a name that later resolves elsewhere (DNS rebinding) is
// refused then.
func (f *Function) checkSinkURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" || len(raw) > 2000 {
		return errSinkURL()
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !publicAddr(ip, f.cfg.PushAllowLoopback) {
			return errSinkURL()
		}
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		if !f.cfg.PushAllowLoopback {
			return errSinkURL()
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return errSinkURL()
	}
	for _, a := range addrs {
		if !publicAddr(a, f.cfg.PushAllowLoopback) {
			return errSinkURL()
		}
	}
	return nil
}

// newPushClient returns the HTTP client of pushes: no proxy from the
// environment, a dialer whose Control hook refuses every address that is
// not public (at connect time, after DNS, so rebinding cannot get round
// it), TLS 1.2 or later against the system roots plus PushRootCAs, no
// redirects followed, and the push timeout.
func newPushClient(cfg Config) (*http.Client, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if cfg.PushRootCAs != "" {
		pem, err := os.ReadFile(cfg.PushRootCAs)
		if err != nil {
			return nil, fmt.Errorf("read DELIVERY_PUSH_ROOT_CAS: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("DELIVERY_PUSH_ROOT_CAS %s holds no PEM certificate", cfg.PushRootCAs)
		}
	}
	allowLoopback := cfg.PushAllowLoopback
	dialer := &net.Dialer{
		Timeout: cfg.PushTimeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			if network != "tcp4" && network != "tcp6" && network != "tcp" {
				return errAddressNotAllowed
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !publicAddr(ap.Addr(), allowLoopback) {
				return errAddressNotAllowed
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:                 nil, // never through a proxy from the environment: the dialer must see the sink's address
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   cfg.PushTimeout,
		ResponseHeaderTimeout: cfg.PushTimeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       cfg.PushTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// Push failure categories, what lastError shows: generic, so a sink's
// status never echoes the remote body, an internal address or a port's
// behaviour.
const (
	PushErrConnection = "connection-failed"
	PushErrTimeout    = "timeout"
	PushErrTLS        = "tls-failed"
	PushErrRedirect   = "redirect-refused"
	PushErr4xx        = "http-4xx"
	PushErr5xx        = "http-5xx"
	PushErrOther      = "failed"
)

// pushErrorTexts are the categories' texts in Danish and English.
var pushErrorTexts = map[string][2]string{
	PushErrConnection: {"Forbindelsen til jeres system kunne ikke oprettes.", "The connection to your system failed."},
	PushErrTimeout:    {"Jeres system svarede ikke i tide.", "Your system did not answer in time."},
	PushErrTLS:        {"TLS-forbindelsen til jeres system kunne ikke godkendes.", "The TLS connection to your system could not be verified."},
	PushErrRedirect:   {"Jeres system svarede med en omdirigering; omdirigeringer følges ikke.", "Your system answered with a redirect; redirects are not followed."},
	PushErr4xx:        {"Jeres system afviste leverancen (HTTP 4xx).", "Your system refused the delivery (HTTP 4xx)."},
	PushErr5xx:        {"Jeres system svarede med en fejl (HTTP 5xx).", "HTTP 5xx from your system."},
	PushErrOther:      {"Leverancen mislykkedes.", "The delivery failed."},
}

// pushError is a failed push: its category (what the recipient sees) and
// the cause (logged without personal data, never shown).
type pushError struct {
	category string
	cause    error
}

func (e *pushError) Error() string { return "push " + e.category + ": " + e.cause.Error() }
func (e *pushError) Unwrap() error { return e.cause }

// classify turns a transport error into a pushError.
func classify(err error) *pushError {
	var pe *pushError
	if errors.As(err, &pe) {
		return pe
	}
	var ne net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &pushError{PushErrTimeout, err}
	case errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &recErr):
		return &pushError{PushErrTLS, err}
	}
	return &pushError{PushErrConnection, err}
}

// statusError is the pushError of a non-2xx answer.
func statusError(code int) *pushError {
	cause := fmt.Errorf("sink answered %d", code)
	switch {
	case code >= 300 && code < 400:
		return &pushError{PushErrRedirect, cause}
	case code >= 400 && code < 500:
		return &pushError{PushErr4xx, cause}
	case code >= 500:
		return &pushError{PushErr5xx, cause}
	}
	return &pushError{PushErrOther, cause}
}
