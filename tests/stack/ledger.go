package stack

import (
	"crypto/ed25519"
	"path/filepath"
	"testing"

	"nemrefusion.dk/infra/ledger"
)

// LedgerKeys returns the public checkpoint key(s) the running stack's audit
// function signs with (the local stack writes them to
// <data>/keys/ledger-ed25519.pub at start): what a verifier trusts.
func LedgerKeys(tb testing.TB) []ed25519.PublicKey {
	tb.Helper()
	keys, err := ledger.LoadTrustedKeys(filepath.Join(dataDir, "keys", "ledger-ed25519.pub"))
	if err != nil {
		tb.Fatalf("the stack's ledger keys: %v", err)
	}
	return keys
}
