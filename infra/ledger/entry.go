package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"
	"unicode/utf8"
)

// Entry is one fact to record: who (Actor, Role, OnBehalfOf), what
// (EventType, EventSource, EventID, Payload), when (RecordedAt) and why
// (Cause, Correlation, Reason). Stream is the chain it belongs to, usually
// the absence or case id.
type Entry struct {
	Stream      string
	Actor       string
	Role        string
	OnBehalfOf  string
	EventType   string
	EventSource string
	EventID     string
	Cause       string
	Correlation string
	// Reason says why, e.g. the rules applied. It is stored as Postgres json,
	// byte for byte as given; nil or empty means none.
	Reason json.RawMessage
	// Payload is the event data or a reference to it. Never log it.
	Payload []byte
	// RecordedAt is when the fact was recorded; zero means now. It is
	// stored in UTC with microsecond precision.
	RecordedAt time.Time
}

// Record is an Entry as stored, with its place in the chain.
type Record struct {
	Entry
	Seq           int64
	PrevHash      []byte
	Hash          []byte
	PayloadDigest []byte
	ContentDigest []byte
}

// digestSize is the size of every digest and hash in the ledger.
const digestSize = sha256.Size

// genesis is the prev_hash of the first entry of every stream.
var genesis = make([]byte, digestSize)

const entryTag = "nemrefusion.ledger.entry.v1"

// normalize checks e and returns it with RecordedAt set (now when zero),
// in UTC and truncated to microseconds, as Postgres stores it.
func normalize(e Entry, now time.Time) (Entry, error) {
	if e.Stream == "" {
		return e, errors.New("ledger: entry has no stream")
	}
	if e.Actor == "" {
		return e, fmt.Errorf("ledger: entry in stream %q has no actor", e.Stream)
	}
	if e.EventType == "" {
		return e, fmt.Errorf("ledger: entry in stream %q has no event type", e.Stream)
	}
	for _, f := range []struct{ name, v string }{
		{"stream", e.Stream}, {"actor", e.Actor}, {"role", e.Role}, {"on_behalf_of", e.OnBehalfOf},
		{"event_type", e.EventType}, {"event_source", e.EventSource}, {"event_id", e.EventID},
		{"cause", e.Cause}, {"correlation", e.Correlation},
	} {
		if !validText(f.v) {
			return e, fmt.Errorf("ledger: entry in stream %q: %s is not valid UTF-8 text without NUL", e.Stream, f.name)
		}
	}
	if len(e.Reason) == 0 {
		e.Reason = nil
	} else if !json.Valid(e.Reason) || !validText(string(e.Reason)) {
		return e, fmt.Errorf("ledger: entry in stream %q: reason is not valid JSON", e.Stream)
	}
	if e.Payload == nil {
		e.Payload = []byte{}
	}
	if e.RecordedAt.IsZero() {
		e.RecordedAt = now
	}
	e.RecordedAt = e.RecordedAt.UTC().Truncate(time.Microsecond)
	return e, nil
}

// validText reports whether s can be stored in a Postgres text column.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return true
}

// payloadDigest returns H(payload).
func payloadDigest(payload []byte) []byte {
	d := sha256.Sum256(payload)
	return d[:]
}

// contentDigest returns the digest of the canonical encoding of e (see the
// package documentation) with the given payload digest.
func contentDigest(e Entry, payloadDigest []byte) []byte {
	h := sha256.New()
	writeField(h, []byte(entryTag))
	writeField(h, []byte(e.Stream))
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(e.RecordedAt.UnixMicro()))
	writeField(h, ts[:])
	for _, s := range []string{e.Actor, e.Role, e.OnBehalfOf, e.EventType, e.EventSource, e.EventID, e.Cause, e.Correlation} {
		writeField(h, []byte(s))
	}
	if e.Reason == nil {
		h.Write([]byte{0})
	} else {
		h.Write([]byte{1})
		writeField(h, e.Reason)
	}
	writeField(h, payloadDigest)
	return h.Sum(nil)
}

func writeField(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// chainHash returns H(prev || int64be(seq) || content), the hash of the
// entry at seq; Postgres computes the same with sha256(prev || int8send(seq) || content).
func chainHash(prev []byte, seq int64, content []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], uint64(seq))
	h.Write(s[:])
	h.Write(content)
	return h.Sum(nil)
}
