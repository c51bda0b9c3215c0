package ledger

import (
	"crypto/sha256"
	"encoding/binary"
)

// merkle computes the RFC 6962 Merkle tree hash of a sequence of leaves
// added one at a time, keeping only O(log n) subtree roots: the roots of the
// perfect subtrees of the binary decomposition of n, left to right.
type merkle struct {
	n     int64
	roots [][]byte // roots[i] covers a perfect subtree; sizes strictly decrease
	sizes []int64
}

// leafHash returns H(0x00 || uint32be(len(stream)) || stream || int64be(seq) || hash).
func leafHash(stream string, seq int64, hash []byte) []byte {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte{0})
	binary.BigEndian.PutUint32(b[:4], uint32(len(stream)))
	h.Write(b[:4])
	h.Write([]byte(stream))
	binary.BigEndian.PutUint64(b[:], uint64(seq))
	h.Write(b[:])
	h.Write(hash)
	return h.Sum(nil)
}

// nodeHash returns H(0x01 || l || r).
func nodeHash(l, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// add appends the leaf for one stream head.
func (m *merkle) add(stream string, seq int64, hash []byte) { m.addLeaf(leafHash(stream, seq, hash)) }

// addLeaf appends a leaf hash.
func (m *merkle) addLeaf(leaf []byte) {
	m.roots = append(m.roots, leaf)
	m.sizes = append(m.sizes, 1)
	m.n++
	for k := len(m.sizes); k >= 2 && m.sizes[k-1] == m.sizes[k-2]; k = len(m.sizes) {
		m.roots[k-2] = nodeHash(m.roots[k-2], m.roots[k-1])
		m.sizes[k-2] *= 2
		m.roots, m.sizes = m.roots[:k-1], m.sizes[:k-1]
	}
}

// root returns the tree hash; for no leaves it is H("") as in RFC 6962.
func (m *merkle) root() []byte {
	if len(m.roots) == 0 {
		e := sha256.Sum256(nil)
		return e[:]
	}
	r := m.roots[len(m.roots)-1]
	for i := len(m.roots) - 2; i >= 0; i-- {
		r = nodeHash(m.roots[i], r)
	}
	return r
}
