package runtime

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"nemrefusion.dk/infra/config"
)

// Delivery authentication. A function takes an event on its CloudEvents
// receiver only from the broker: every delivery carries
// "Authorization: Bearer <JWT>" whose issuer is EVENTS_ISSUER, whose
// audience is the function (EVENTS_AUDIENCE, by default its name) and whose
// signature checks against the issuer's keys. In a cluster that is Knative
// Eventing's authentication-oidc feature (the broker's dispatcher sends a
// Kubernetes service-account token for the Trigger's subscriber audience);
// in the local stack the embedded broker signs each delivery with a key
// generated at start (infra/broker, infra/localstack). Anything else —
// no token, a wrong signature, issuer or audience, an expired token —
// gets 401 before the body is read, so it writes nothing.

// The paths of a pod's own service-account credentials.
const (
	saTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	saCAFile    = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
)

// deliverySigningAlgs are the algorithms a delivery token may be signed
// with: Kubernetes signs with RS256 or ES256, the local broker with EdDSA.
var deliverySigningAlgs = []string{oidc.RS256, oidc.ES256, oidc.EdDSA}

// deliveryAuth verifies the token of a delivery. Safe for concurrent use.
type deliveryAuth struct {
	issuer   string
	audience string

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	lastErr  error
	retryAt  time.Time
}

// newDeliveryAuth reads the configuration. With EVENTS_KEY_FILE the keys
// are read now (an unreadable file is an error); otherwise they come from
// the issuer's OIDC discovery at the first delivery. With no issuer at all
// it returns a deliveryAuth that refuses every event.
func newDeliveryAuth(b config.Base, name string) (*deliveryAuth, error) {
	a := &deliveryAuth{issuer: b.EventsIssuer, audience: b.EventsAudience}
	if a.audience == "" {
		a.audience = name
	}
	if b.EventsKeyFile == "" {
		return a, nil
	}
	if a.issuer == "" {
		return nil, errors.New("EVENTS_KEY_FILE is set but EVENTS_ISSUER is not")
	}
	keys, err := readPublicKeys(b.EventsKeyFile)
	if err != nil {
		return nil, fmt.Errorf("EVENTS_KEY_FILE: %w", err)
	}
	a.verifier = oidc.NewVerifier(a.issuer, &oidc.StaticKeySet{PublicKeys: keys}, a.oidcConfig())
	return a, nil
}

func (a *deliveryAuth) oidcConfig() *oidc.Config {
	return &oidc.Config{ClientID: a.audience, SupportedSigningAlgs: deliverySigningAlgs}
}

// readPublicKeys reads every PUBLIC KEY block (PKIX) of a PEM file.
func readPublicKeys(path string) ([]crypto.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []crypto.PublicKey
	for {
		var blk *pem.Block
		blk, raw = pem.Decode(raw)
		if blk == nil {
			break
		}
		if blk.Type != "PUBLIC KEY" {
			continue
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no PUBLIC KEY block", path)
	}
	return keys, nil
}

// verify checks r's bearer token. It returns an *Error: KindUnauthorized
// for a missing or invalid token (and when no issuer is configured),
// KindUnavailable while the issuer's keys cannot be fetched (the broker
// retries).
func (a *deliveryAuth) verify(ctx context.Context, r *http.Request) error {
	if a.issuer == "" {
		return Fail(KindUnauthorized, "delivery-auth-not-configured", "Funktionen modtager ingen hændelser: udstederen af leveringstokens er ikke sat.",
			"The function takes no events: the issuer of delivery tokens (EVENTS_ISSUER) is not configured.", nil)
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return Fail(KindUnauthorized, "delivery-token-missing", "Hændelser modtages kun fra brokeren med et gyldigt token.",
			"Events are taken only from the broker, with a valid token.", nil)
	}
	v, err := a.get(ctx)
	if err != nil {
		return Fail(KindUnavailable, "delivery-keys-unavailable", "Nøglerne til at kontrollere leveringen kan ikke hentes.",
			"The keys to check the delivery cannot be fetched.", err)
	}
	if _, err := v.Verify(ctx, strings.TrimSpace(tok)); err != nil {
		return Fail(KindUnauthorized, "delivery-token-invalid", "Leveringens token er ikke gyldigt.", "The delivery's token is not valid.", err)
	}
	return nil
}

// get returns the verifier, running the issuer's discovery the first time
// (and again at most every 5 s after a failure).
func (a *deliveryAuth) get(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.verifier != nil {
		return a.verifier, nil
	}
	if time.Now().Before(a.retryAt) {
		return nil, a.lastErr
	}
	v, err := a.discover(ctx)
	if err != nil {
		a.lastErr, a.retryAt = err, time.Now().Add(5*time.Second)
		return nil, err
	}
	a.verifier = v
	return v, nil
}

// discover reads the issuer's /.well-known/openid-configuration and builds
// a verifier on its JWKS. The Kubernetes API server announces an issuer
// that may differ from the URL it is reached at in the pod
// (https://kubernetes.default.svc), as Knative's own verifier allows.
func (a *deliveryAuth) discover(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	client := issuerClient(a.issuer)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(a.issuer, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", a.issuer, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", a.issuer, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery of %s: status %d", a.issuer, resp.StatusCode)
	}
	var d struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d); err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", a.issuer, err)
	}
	if d.Issuer == "" || d.JWKSURI == "" {
		return nil, fmt.Errorf("discovery of %s: no issuer or jwks_uri", a.issuer)
	}
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), client), d.JWKSURI)
	return oidc.NewVerifier(d.Issuer, keys, a.oidcConfig()), nil
}

// issuerClient is the HTTP client for the issuer's discovery and keys. For
// the in-cluster Kubernetes API server it trusts the pod's cluster CA and
// authenticates with the pod's service-account token (the API server's
// discovery is open to service accounts only); for any other issuer it is
// a plain client and sends no credentials.
func issuerClient(issuer string) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var rt http.RoundTripper = tr
	if u, err := url.Parse(issuer); err == nil && isInClusterAPIServer(u.Hostname()) {
		if pemCA, err := os.ReadFile(saCAFile); err == nil {
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pemCA)
			tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		if _, err := os.Stat(saTokenFile); err == nil {
			rt = &bearerTransport{token: &tokenFile{path: saTokenFile}, base: tr}
		}
	}
	return &http.Client{Transport: rt, Timeout: 10 * time.Second}
}

func isInClusterAPIServer(host string) bool {
	return host == "kubernetes.default.svc" || host == "kubernetes.default.svc.cluster.local" || host == "kubernetes.default"
}

// authenticated wraps the CloudEvents receiver: a request without a valid
// delivery token is answered 401 (503 while the keys cannot be fetched)
// before its body is read.
func (s *Service) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.auth.verify(r.Context(), r); err != nil {
			status := KindOf(err).Status()
			s.m.refuse(refusedUnauthenticated, status)
			s.Log.WarnContext(r.Context(), "refused a delivery without a valid broker token", "status", status, "code", ProblemOf(err).Code)
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="events"`)
			}
			WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tokenFile is a token kept in a file that something else rotates (the
// kubelet, for projected service-account tokens); it is read again once a
// minute.
type tokenFile struct {
	path string

	mu     sync.Mutex
	token  string
	readAt time.Time
}

func (t *tokenFile) get() (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && time.Since(t.readAt) < time.Minute {
		return t.token, nil
	}
	b, err := os.ReadFile(t.path)
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	t.token, t.readAt = strings.TrimSpace(string(b)), time.Now()
	return t.token, nil
}

// bearerTransport adds "Authorization: Bearer <token>" to every request.
type bearerTransport struct {
	token *tokenFile
	base  http.RoundTripper
}

func (b *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, err := b.token.get()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return b.base.RoundTrip(r)
}

// logDeliveryAuth says at start how deliveries are checked.
func logDeliveryAuth(log *slog.Logger, b config.Base, a *deliveryAuth) {
	switch {
	case a.issuer == "":
		log.Error("EVENTS_ISSUER is not set: every event delivered to this function is refused (401)")
	case b.EventsKeyFile != "":
		log.Info("deliveries need a broker token", "issuer", a.issuer, "audience", a.audience, "keys", "file")
	default:
		log.Info("deliveries need a broker token", "issuer", a.issuer, "audience", a.audience, "keys", "discovery")
	}
}
