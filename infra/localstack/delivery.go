package localstack

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"

	"nemrefusion.dk/infra/broker"
)

// deliveryTrust makes the key the local broker signs every delivery with
// (a fresh Ed25519 key per start, the private half in memory only, never
// on disk or in the repository), writes its public key under
// DataDir/keys/broker-delivery.pub and returns the environment that makes
// every function verify deliveries against it (infra/runtime: EVENTS_ISSUER,
// EVENTS_KEY_FILE; the audience is the function's name, as the broker
// signs for the Trigger's subscriber).
func deliveryTrust(dataDir string) (ed25519.PrivateKey, []string, error) {
	key, pubPEM, err := broker.NewDeliveryKey()
	if err != nil {
		return nil, nil, fmt.Errorf("localstack: %w", err)
	}
	dir := filepath.Join(dataDir, "keys")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("localstack: %w", err)
	}
	path := filepath.Join(dir, "broker-delivery.pub")
	if err := os.WriteFile(path, pubPEM, 0o644); err != nil {
		return nil, nil, fmt.Errorf("localstack: broker delivery key: %w", err)
	}
	return key, []string{"EVENTS_ISSUER=" + broker.DefaultDeliveryIssuer, "EVENTS_KEY_FILE=" + path}, nil
}
