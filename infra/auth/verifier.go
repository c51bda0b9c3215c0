package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"nemrefusion.dk/infra/ledger"
)

// Config is the authentication configuration a function embeds next to
// config.Base (which holds OIDC_ISSUER and OIDC_AUDIENCE).
type Config struct {
	// SigningMaxAge is how old a login may be for an action that must be
	// signed (submitting a blanket, a citizen's answers).
	SigningMaxAge time.Duration `envconfig:"AUTH_SIGNING_MAX_AGE" default:"5m"`
}

// Verifier verifies access tokens of one issuer for one audience. It finds
// the issuer's keys by OIDC discovery on first use (so a function may start
// before its issuer answers) and caches them; an unknown key id makes it
// fetch the JWKS again. Safe for concurrent use.
type Verifier struct {
	issuer, audience string
	client           *http.Client
	now              func() time.Time

	// Ledger, when set, receives an access-denied entry for every
	// authenticated request Require refuses for its role.
	Ledger ledger.DBTX
	// Log, when set, is put in the context of every request Require
	// handles (runtime.WithLogger), so the handler and LogDenial log as the
	// function does. Set it to the function's svc.Log.
	Log *slog.Logger

	mu sync.Mutex
	v  *oidc.IDTokenVerifier
}

// NewVerifier returns a verifier for tokens issued by issuer (the exact
// "iss" value, e.g. http://localhost:8080/dev-issuer) for audience
// ("nemrefusion"). It contacts nothing until the first Verify.
func NewVerifier(issuer, audience string) *Verifier {
	return &Verifier{issuer: issuer, audience: audience, client: &http.Client{Timeout: 10 * time.Second}, now: time.Now}
}

// ErrIssuerUnavailable means the issuer's discovery document could not be
// fetched: the token may be fine, try again later (503).
var ErrIssuerUnavailable = errors.New("auth: issuer unavailable")

// ErrInvalidToken means the token is missing, malformed, expired, wrongly
// signed, for another audience or issuer, or does not describe a principal
// (401).
var ErrInvalidToken = errors.New("auth: invalid token")

func (v *Verifier) verifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.v != nil {
		return v.v, nil
	}
	ctx = oidc.ClientContext(context.WithoutCancel(ctx), v.client)
	p, err := oidc.NewProvider(ctx, v.issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery of %s: %v", ErrIssuerUnavailable, v.issuer, err)
	}
	v.v = p.VerifierContext(ctx, &oidc.Config{ClientID: v.audience, SupportedSigningAlgs: []string{oidc.RS256}, Now: v.now})
	return v.v, nil
}

// Verify checks raw (a compact JWT) and returns its principal. Errors wrap
// ErrInvalidToken or ErrIssuerUnavailable; their text never holds claims.
func (v *Verifier) Verify(ctx context.Context, raw string) (Principal, error) {
	if raw == "" {
		return Principal{}, fmt.Errorf("%w: no token", ErrInvalidToken)
	}
	ov, err := v.verifier(ctx)
	if err != nil {
		return Principal{}, err
	}
	tok, err := ov.Verify(ctx, raw)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	var c Claims
	if err := tok.Claims(&c); err != nil {
		return Principal{}, fmt.Errorf("%w: claims: %v", ErrInvalidToken, err)
	}
	p, err := c.Principal()
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return p, nil
}
