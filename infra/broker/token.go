package broker

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Delivery tokens. Knative Eventing with its authentication-oidc feature
// sends every delivery with "Authorization: Bearer <JWT>": a token for the
// subscriber's audience (the Destination's audience, or the addressable's),
// issued to the sender's own identity. The local broker does the same with
// a key it is given (Config.DeliveryKey): an EdDSA-signed JWT whose issuer
// is Config.DeliveryIssuer, whose audience is the destination's and whose
// subject names the Trigger or PingSource that sent it, valid for
// tokenLifetime. Functions verify it with the public key (infra/runtime).

// DefaultDeliveryIssuer is the issuer claim of the local broker's tokens
// when Config.DeliveryIssuer is empty.
const DefaultDeliveryIssuer = "nemrefusion-local-broker"

// tokenLifetime is how long one delivery token is valid; a token is reused
// for the same subject and audience until tokenReuse of it is left.
const (
	tokenLifetime = 5 * time.Minute
	tokenReuse    = 3 * time.Minute
)

// signer mints and caches delivery tokens. Safe for concurrent use.
type signer struct {
	issuer string
	sig    jose.Signer

	mu    sync.Mutex
	cache map[[2]string]cachedToken
}

type cachedToken struct {
	raw     string
	expires time.Time
}

func newSigner(issuer string, key ed25519.PrivateKey) (*signer, error) {
	if issuer == "" {
		issuer = DefaultDeliveryIssuer
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("broker: delivery signer: %w", err)
	}
	return &signer{issuer: issuer, sig: sig, cache: map[[2]string]cachedToken{}}, nil
}

// token returns a token from subject for audience.
func (s *signer) token(subject, audience string) (string, error) {
	key := [2]string{subject, audience}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.cache[key]; ok && t.expires.Sub(now) > tokenLifetime-tokenReuse {
		return t.raw, nil
	}
	exp := now.Add(tokenLifetime)
	raw, err := jwt.Signed(s.sig).Claims(jwt.Claims{
		Issuer:    s.issuer,
		Subject:   subject,
		Audience:  jwt.Audience{audience},
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-30 * time.Second)),
		Expiry:    jwt.NewNumericDate(exp),
	}).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign delivery token: %w", err)
	}
	s.cache[key] = cachedToken{raw: raw, expires: exp}
	return raw, nil
}

// audience is the audience a delivery to d is for: its own audience, else
// the name of the object it refers to (a Knative Service's name is its
// function's name). A bare URI has none: no token is sent.
func (d *Destination) audience() string {
	switch {
	case d.Audience != "":
		return d.Audience
	case d.Ref != nil && d.Ref.Kind != kindBroker:
		return d.Ref.Name
	}
	return ""
}

// NewDeliveryKey generates an Ed25519 key pair for signing deliveries and
// returns the private key and the public key as a PEM "PUBLIC KEY" block,
// the form functions read (EVENTS_KEY_FILE). Generate it at start and keep
// the private key in memory only.
func NewDeliveryKey() (ed25519.PrivateKey, []byte, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("broker: generate delivery key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, fmt.Errorf("broker: encode delivery key: %w", err)
	}
	return priv, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
