package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// Ledger entry types of access control. They are facts in the ledger, not
// events on the broker.
const (
	// EventAccessDenied records a refused request of an authenticated principal.
	EventAccessDenied = "dk.nemrefusion.access.denied.v1"
	// EventAccessRead records a read of personal data by a person.
	EventAccessRead = "dk.nemrefusion.access.read.v1"
	// StreamAccessDenied is the ledger stream of every refusal.
	StreamAccessDenied = "access-denied"
	// EventSource is the source recorded on access entries.
	EventSource = "/nemrefusion/auth"
)

// ReadStream is the ledger stream that records reads of stream (kept
// apart, so reading a stream does not change it).
func ReadStream(stream string) string { return "reads/" + stream }

// actorEntry fills who: actor (the subject), role and on whose behalf.
func actorEntry(p Principal) ledger.Entry {
	return ledger.Entry{Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(), EventSource: EventSource}
}

// DeniedEntry is the ledger entry of a refused request: who asked (actor,
// role, on whose behalf), what (method, path, the resource as the function
// names it) and why (reason, e.g. "role" or "tenant"), in the
// access-denied stream.
func DeniedEntry(p Principal, r *http.Request, resource, reason string) ledger.Entry {
	e := actorEntry(p)
	e.Stream, e.EventType = StreamAccessDenied, EventAccessDenied
	e.Reason, _ = json.Marshal(map[string]string{
		"method": r.Method, "path": r.URL.Path, "resource": resource, "reason": reason, "tenant": p.Tenant(),
	})
	return e
}

// ReadEntry is the ledger entry of a person reading the personal data in
// stream (in ReadStream(stream)).
func ReadEntry(p Principal, r *http.Request, stream string) ledger.Entry {
	e := actorEntry(p)
	e.Stream, e.EventType = ReadStream(stream), EventAccessRead
	e.Reason, _ = json.Marshal(map[string]string{"method": r.Method, "path": r.URL.Path, "resource": stream})
	return e
}

// LogDenial appends DeniedEntry to the ledger (db may be a pool: the entry
// stands on its own) and logs the refusal without personal data. A failure
// to record is returned (503 or 500): a refusal that cannot be recorded is
// still a refusal, and the caller retries.
func LogDenial(ctx context.Context, db ledger.DBTX, p Principal, r *http.Request, resource, reason string) error {
	if _, err := ledger.Append(ctx, db, DeniedEntry(p, r, resource, reason)); err != nil {
		return fmt.Errorf("record access denial: %w", err)
	}
	runtime.Logger(ctx).InfoContext(ctx, "access denied", "principal", p, "route", r.Pattern, "reason", reason)
	return nil
}

// Deny records p's refusal of resource in the ledger (LogDenial) and
// answers 403 with the one body every refusal uses; when the refusal cannot
// be recorded it answers that error instead (retry).
func Deny(w http.ResponseWriter, r *http.Request, db ledger.DBTX, p Principal, resource, reason string) {
	if err := LogDenial(r.Context(), db, p, r, resource, reason); err != nil {
		runtime.WriteError(w, err)
		return
	}
	WriteForbidden(w)
}

// Signature is what the ledger records about a signed action, as the
// entry's Reason: {"signed":true,"loa":...,"authTime":...}. Put the
// principal's Subject, Role and OnBehalfOf in the entry's Actor, Role and
// OnBehalfOf (SignedEntry does).
type Signature struct {
	Signed   bool      `json:"signed"`
	LoA      LoA       `json:"loa"`
	AuthTime time.Time `json:"authTime"`
	ClientID string    `json:"clientId,omitempty"`
}

// SignatureReason returns the Reason JSON of an action p signed.
func SignatureReason(p Principal) json.RawMessage {
	b, _ := json.Marshal(Signature{Signed: true, LoA: p.LoA, AuthTime: p.AuthTime, ClientID: p.ClientID})
	return b
}

// SignedEntry fills e's actor, role, on-behalf-of and reason for an action
// p signed.
func SignedEntry(p Principal, e ledger.Entry) ledger.Entry {
	e.Actor, e.Role, e.OnBehalfOf = p.Subject, string(p.Role), p.OnBehalfOf()
	e.Reason = SignatureReason(p)
	return e
}
