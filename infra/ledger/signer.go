package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// LoadSigner reads the Ed25519 private key (PEM, PKCS #8) at path. Unlike
// LoadOrCreateSigner it never makes one: the audit function and nrctl sign
// only with the configured key (a Secret in a cluster; the local stack
// makes .data/keys/ledger-ed25519.key at start).
func LoadSigner(path string) (Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Signer{}, fmt.Errorf("ledger: read signing key (LEDGER_KEY_FILE): %w", err)
	}
	return parseSigner(path, b)
}

// MarshalPublicKey returns pub as a PEM PUBLIC KEY block (PKIX), the format
// of a trusted-keys file.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("ledger: encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParseTrustedKeys reads trusted checkpoint keys: PEM PUBLIC KEY blocks, or
// else one base64 Ed25519 public key per line or comma-separated (blank
// lines and lines starting with # are skipped). It returns an error for
// anything else, never a partial list.
func ParseTrustedKeys(b []byte) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	if bytes.Contains(b, []byte("-----BEGIN")) {
		for rest := b; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "PUBLIC KEY" {
				return nil, fmt.Errorf("ledger: trusted keys: a PEM %s block, want PUBLIC KEY", blk.Type)
			}
			k, err := x509.ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("ledger: trusted keys: %w", err)
			}
			pub, ok := k.(ed25519.PublicKey)
			if !ok {
				return nil, errors.New("ledger: trusted keys: not an Ed25519 key")
			}
			keys = append(keys, pub)
		}
		return keys, nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, f := range strings.Split(line, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			k, err := base64.StdEncoding.DecodeString(f)
			if err != nil || len(k) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("ledger: trusted keys: %q is not a base64 Ed25519 public key", f)
			}
			keys = append(keys, ed25519.PublicKey(k))
		}
	}
	return keys, nil
}

// LoadTrustedKeys reads ParseTrustedKeys' format from path.
func LoadTrustedKeys(path string) ([]ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: trusted keys: %w", err)
	}
	keys, err := ParseTrustedKeys(b)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return keys, nil
}

// EnsureKeyPair is what the local stack runs at start: it loads or makes the
// signing key at keyFile (see LoadOrCreateSigner) and writes its public key
// (PEM) to pubFile, the local trusted-keys file. Nothing else creates keys.
func EnsureKeyPair(keyFile, pubFile string) (Signer, error) {
	s, err := LoadOrCreateSigner(keyFile)
	if err != nil {
		return Signer{}, err
	}
	b, err := MarshalPublicKey(s.PublicKey())
	if err != nil {
		return Signer{}, err
	}
	if old, err := os.ReadFile(pubFile); err == nil && bytes.Equal(old, b) {
		return s, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(pubFile), ".ledger-pub-*")
	if err != nil {
		return Signer{}, fmt.Errorf("ledger: write public key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return Signer{}, fmt.Errorf("ledger: write public key: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return Signer{}, fmt.Errorf("ledger: write public key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Signer{}, fmt.Errorf("ledger: write public key: %w", err)
	}
	if err := os.Rename(tmp.Name(), pubFile); err != nil {
		return Signer{}, fmt.Errorf("ledger: write public key: %w", err)
	}
	return s, nil
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
