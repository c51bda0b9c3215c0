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
