package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Signer signs checkpoints. KeyID names the key in ledger.keys; it is
// derived from the public key (see KeyIDOf).
type Signer struct {
	KeyID string
	Key   ed25519.PrivateKey
}

// PublicKey returns the public half of s.Key.
func (s Signer) PublicKey() ed25519.PublicKey {
	return s.Key.Public().(ed25519.PublicKey)
}

// KeyIDOf returns the key id of pub: "ed25519:" and the first 8 bytes of
// SHA-256(pub) in hex.
func KeyIDOf(pub ed25519.PublicKey) string {
	d := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(d[:8])
}

// NewSigner returns a Signer for key.
func NewSigner(key ed25519.PrivateKey) Signer {
	s := Signer{Key: key}
	s.KeyID = KeyIDOf(s.PublicKey())
	return s
}

// LoadOrCreateSigner reads the Ed25519 private key (PEM, PKCS #8) at path,
// or, when there is no file, generates one and writes it there with mode
// 0600 (its directory 0700). Keep the file out of the repository: the
// default location is under the local data directory (.data/keys/). When
// several processes start at once, one creates the file and the others
// read it.
func LoadOrCreateSigner(path string) (Signer, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSigner(path)
	}
	if err != nil {
		return Signer{}, fmt.Errorf("ledger: read signing key: %w", err)
	}
	return parseSigner(path, b)
}

func parseSigner(path string, b []byte) (Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return Signer{}, fmt.Errorf("ledger: signing key %s: not a PEM PRIVATE KEY", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return Signer{}, fmt.Errorf("ledger: signing key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return Signer{}, fmt.Errorf("ledger: signing key %s: not an Ed25519 key", path)
	}
	return NewSigner(key), nil
}

func createSigner(path string) (Signer, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Signer{}, fmt.Errorf("ledger: generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Signer{}, fmt.Errorf("ledger: encode signing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Signer{}, fmt.Errorf("ledger: create key directory: %w", err)
	}
	// Write to a temporary file and link it into place, so that nobody
	// ever reads a half-written key and a concurrent creator wins cleanly.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ledger-key-*")
	if err != nil {
		return Signer{}, fmt.Errorf("ledger: write signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return Signer{}, fmt.Errorf("ledger: write signing key: %w", err)
	}
	if _, err := tmp.Write(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		tmp.Close()
		return Signer{}, fmt.Errorf("ledger: write signing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Signer{}, fmt.Errorf("ledger: write signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Signer{}, fmt.Errorf("ledger: write signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			b, rerr := os.ReadFile(path)
			if rerr != nil {
				return Signer{}, fmt.Errorf("ledger: read signing key: %w", rerr)
			}
			return parseSigner(path, b)
		}
		return Signer{}, fmt.Errorf("ledger: write signing key: %w", err)
	}
	return NewSigner(key), nil
}
