package runtimetest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"nemrefusion.dk/infra/config"
)

// TestBrokerIssuer is the issuer of the test broker's delivery tokens.
const TestBrokerIssuer = "nemrefusion-test-broker"

// The test broker's signing key, one per test process.
var testBroker struct {
	once   sync.Once
	key    ed25519.PrivateKey
	pubPEM []byte
	err    error
}

func testBrokerKey(t testing.TB) (ed25519.PrivateKey, []byte) {
	t.Helper()
	testBroker.once.Do(func() {
		var pub ed25519.PublicKey
		pub, testBroker.key, testBroker.err = ed25519.GenerateKey(rand.Reader)
		if testBroker.err != nil {
			return
		}
		der, err := x509.MarshalPKIXPublicKey(pub)
		testBroker.err = err
		testBroker.pubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	})
	if testBroker.err != nil {
		t.Fatal(testBroker.err)
	}
	return testBroker.key, testBroker.pubPEM
}

// TestBrokerKey is the test broker's private key (to sign tokens that are
// wrong in one way only, such as expired ones, with SignToken).
func TestBrokerKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	key, _ := testBrokerKey(t)
	return key
}

// TrustTestBroker configures b to take deliveries signed by the test
// broker (SignDelivery, DeliveryToken), as the local stack configures its
// functions for its broker. Start does it for a kit whose Base names no
// EventsIssuer; tests that call runtime.New themselves call it on their
// Base.
func TrustTestBroker(t testing.TB, b *config.Base) {
	t.Helper()
	_, pubPEM := testBrokerKey(t)
	path := filepath.Join(t.TempDir(), "test-broker.pub")
	if err := os.WriteFile(path, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	b.EventsIssuer, b.EventsKeyFile = TestBrokerIssuer, path
}

// DeliveryToken is a token of the test broker for audience (a function's
// name), valid for five minutes.
func DeliveryToken(t testing.TB, audience string) string {
	t.Helper()
	key, _ := testBrokerKey(t)
	return SignToken(t, key, TestBrokerIssuer, audience, time.Now().Add(5*time.Minute))
}

// SignToken signs a delivery token with any key, issuer, audience and
// expiry (tests of refusals: a foreign key, a wrong audience, an expired
// token).
func SignToken(t testing.TB, key ed25519.PrivateKey, issuer, audience string, exp time.Time) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(jwt.Claims{
		Issuer: issuer, Subject: "trigger:test", Audience: jwt.Audience{audience},
		IssuedAt: jwt.NewNumericDate(time.Now().Add(-time.Minute)), Expiry: jwt.NewNumericDate(exp),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// SignDelivery adds the test broker's token for audience to req, as the
// broker does for every delivery.
func SignDelivery(t testing.TB, req *http.Request, audience string) {
	t.Helper()
	req.Header.Set("Authorization", "Bearer "+DeliveryToken(t, audience))
}

// audience is the audience the kit's function expects.
func (k *Kit) audience() string {
	if k.Base.EventsAudience != "" {
		return k.Base.EventsAudience
	}
	return k.Svc.Name
}
