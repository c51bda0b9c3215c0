package broker

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// verifyDelivery checks a recorded Authorization header as a function does
// (infra/runtime): issuer, audience, signature and expiry.
func verifyDelivery(t *testing.T, pubPEM []byte, audience, header string) *oidc.IDToken {
	t.Helper()
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		t.Fatalf("delivery to %s carried Authorization %q, want a bearer token", audience, header)
	}
	blk, _ := pem.Decode(pubPEM)
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	v := oidc.NewVerifier(DefaultDeliveryIssuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{pub}},
		&oidc.Config{ClientID: audience, SupportedSigningAlgs: []string{oidc.EdDSA}})
	tok, err := v.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("delivery token for %s does not verify: %v", audience, err)
	}
	return tok
}

// The broker signs every delivery (subscriber, dead-letter sink, PingSource
// sink) for the destination's audience, so functions can refuse anything
// that did not come from it (issue 16: forged events posted straight to a
// function's port were accepted).
func TestDeliveriesCarryATokenForTheDestination(t *testing.T) {
	t.Parallel()
	key, pubPEM, err := NewDeliveryKey()
	if err != nil {
		t.Fatal(err)
	}
	withKey := func(c *Config) { c.DeliveryKey = key }

	t.Run("subscriber and dead-letter sink", func(t *testing.T) {
		t.Parallel()
		overloaded := newSubscriber(t, reply(http.StatusServiceUnavailable, "no"))
		dls := newSubscriber(t, nil)
		b := startBroker(t, "deadletter", t.TempDir(),
			services(map[string]*subscriber{"overloaded": overloaded, "bad-request": newSubscriber(t, nil), "dead-letters": dls}), nil, withKey)
		mustPost(t, b.IngressURL("default"), newEvent("test.overloaded", nil))
		eventually(t, 5*time.Second, "a dead letter", func() bool { _, n := dls.counts(); return n >= 1 })
		for _, h := range overloaded.authorizations() {
			tok := verifyDelivery(t, pubPEM, "overloaded", h)
			if tok.Subject != "trigger:nemrefusion/overloaded" {
				t.Errorf("subscriber token subject %q", tok.Subject)
			}
		}
		verifyDelivery(t, pubPEM, "dead-letters", dls.authorizations()[0])
	})
	t.Run("PingSource, through the broker and straight to a Service", func(t *testing.T) {
		t.Parallel()
		reminder, audit := newSubscriber(t, nil), newSubscriber(t, nil)
		b := startBroker(t, "ping", t.TempDir(),
			services(map[string]*subscriber{"reminder": reminder, "other": newSubscriber(t, nil), "audit": audit}), nil, withKey)
		eventually(t, 4*time.Second, "a scheduled ping", func() bool { _, n := reminder.counts(); return n >= 1 })
		verifyDelivery(t, pubPEM, "reminder", reminder.authorizations()[0])
		if err := b.FirePing("checkpoint-tick"); err != nil {
			t.Fatal(err)
		}
		tok := verifyDelivery(t, pubPEM, "audit", audit.authorizations()[0])
		if tok.Subject != "pingsource:nemrefusion/checkpoint-tick" {
			t.Errorf("ping token subject %q", tok.Subject)
		}
	})
	t.Run("a token for one audience is refused by another", func(t *testing.T) {
		s, err := newSigner("", key)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := s.token("trigger:x", "sickness")
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(pubPEM)
		pub, _ := x509.ParsePKIXPublicKey(blk.Bytes)
		v := oidc.NewVerifier(DefaultDeliveryIssuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{pub}},
			&oidc.Config{ClientID: "audit", SupportedSigningAlgs: []string{oidc.EdDSA}})
		if _, err := v.Verify(context.Background(), raw); err == nil {
			t.Error("a token for sickness verified for audit")
		}
	})
	t.Run("without a key no token is sent", func(t *testing.T) {
		t.Parallel()
		reminder := newSubscriber(t, nil)
		startBroker(t, "ping", t.TempDir(),
			services(map[string]*subscriber{"reminder": reminder, "other": newSubscriber(t, nil), "audit": newSubscriber(t, nil)}), nil)
		eventually(t, 4*time.Second, "a scheduled ping", func() bool { _, n := reminder.counts(); return n >= 1 })
		if h := reminder.authorizations()[0]; h != "" {
			t.Errorf("Authorization %q without a delivery key", h)
		}
	})
}
