package devissuer

import (
	"net"
	"os"
	"strings"
)

// MountPath is where the local stack mounts the issuer on the public origin.
const MountPath = "/dev-issuer"

// PublicURLEnv names the environment variable that sets the issuer's public
// URL: the one address the issuer identifies itself by (discovery's
// "issuer", every token's "iss", the endpoints and the JWKS URI), which the
// functions trust as OIDC_ISSUER. OpenID Connect Discovery 1.0 § 4.3 lets a
// client accept the discovery document only when its "issuer" is exactly
// the URL the client fetched it from, so set this to the address people and
// programs use, e.g. https://dev.example.org/dev-issuer behind a proxy. Its
// path must be MountPath where the local stack mounts the issuer.
const PublicURLEnv = "DEV_ISSUER_PUBLIC_URL"

// PublicURL is the issuer URL for an issuer mounted at MountPath on the
// public origin listening at listenAddr (host:port): $DEV_ISSUER_PUBLIC_URL
// when set; otherwise http://localhost:<port>/dev-issuer when the origin
// listens on a loopback or unspecified address (the address the READMEs
// and `make run` name), else http://<listenAddr>/dev-issuer. A listener on
// 127.0.0.1 must not name itself by that address: a client following the
// README fetches http://localhost:8080/dev-issuer and would refuse a
// document whose issuer says 127.0.0.1. New checks the URL.
func PublicURL(listenAddr string) string {
	if v := strings.TrimSpace(os.Getenv(PublicURLEnv)); v != "" {
		return strings.TrimSuffix(v, "/")
	}
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return "http://" + listenAddr + MountPath
	}
	if ip := net.ParseIP(host); host == "" || host == "localhost" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + MountPath
}
