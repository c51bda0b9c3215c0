package ledger

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"
)

// mth is RFC 6962's recursive definition of the Merkle tree hash.
func mth(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		e := sha256.Sum256(nil)
		return e[:]
	case 1:
		return leaves[0]
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		return nodeHash(mth(leaves[:k]), mth(leaves[k:]))
	}
}

func TestMerkleMatchesRFC6962(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 70; n++ {
		var m merkle
		var leaves [][]byte
		for i := range n {
			s := fmt.Sprintf("s%03d", i)
			h := sha256.Sum256([]byte(s))
			m.add(s, int64(i+1), h[:])
			leaves = append(leaves, leafHash(s, int64(i+1), h[:]))
		}
		if got, want := m.root(), mth(leaves); !bytes.Equal(got, want) {
			t.Errorf("%d leaves: root %x, want %x", n, got, want)
		}
		if len(m.roots) > 7 {
			t.Errorf("%d leaves: kept %d subtree roots", n, len(m.roots))
		}
	}
	// Leaves are unambiguous: moving bytes between stream and seq changes them.
	if bytes.Equal(leafHash("a", 1, nil), leafHash("a\x00", 1, nil)) {
		t.Error("leaf encoding is ambiguous")
	}
}

// TestAuditPathsVerify: for every tree size up to 40 and every leaf, the
// audit path leads to the RFC 6962 root; a changed leaf, a wrong index or a
// changed path element does not.
func TestAuditPathsVerify(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 40; n++ {
		var leaves [][]byte
		for i := range n {
			h := sha256.Sum256([]byte{byte(i)})
			leaves = append(leaves, h[:])
		}
		root := mth(leaves)
		for m := range n {
			path := auditPath(m, leaves)
			got, err := rootFromPath(leaves[m], int64(m), int64(n), path)
			if err != nil || !bytes.Equal(got, root) {
				t.Fatalf("n=%d m=%d: root %x err %v, want %x", n, m, got, err, root)
			}
			bad := sha256.Sum256([]byte("tampered"))
			if got, err := rootFromPath(bad[:], int64(m), int64(n), path); err == nil && bytes.Equal(got, root) {
				t.Errorf("n=%d m=%d: a tampered leaf verifies", n, m)
			}
			if n > 1 {
				other := (m + 1) % n
				if got, err := rootFromPath(leaves[m], int64(other), int64(n), path); err == nil && bytes.Equal(got, root) {
					t.Errorf("n=%d m=%d: the path verifies at index %d too", n, m, other)
				}
				p2 := append([][]byte(nil), path...)
				p2[0] = bad[:]
				if got, err := rootFromPath(leaves[m], int64(m), int64(n), p2); err == nil && bytes.Equal(got, root) {
					t.Errorf("n=%d m=%d: a changed path element verifies", n, m)
				}
			}
		}
	}
}
