package accept

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// Denied is a refusal for lack of rights: the caller answers 403 with the
// one body every refusal uses (auth.ErrForbidden) and records Reason in the
// ledger's access-denied stream (Front.WriteError does both). Reasons:
// "type" (nobody may submit it), "role" (this role may not), "cvr" (the
// data names a company the login may not act for), "recipient" (feedback
// naming another recipient), "tenant" (the stream belongs to another
// tenant or was never delivered to this case system), "reserved" (a
// stream of the system itself).
type Denied struct{ Stream, Reason string }

func (d Denied) Error() string { return "submission refused: " + d.Reason }

// ErrLoginTooOld refuses a Signed type from a login older than the signing
// maximum age; Front.WriteError answers 401 with the step-up challenge.
var ErrLoginTooOld = errors.New("accept: the login is too old to sign")

var (
	errNotSubmittable = runtime.Fail(runtime.KindInvalid, "not-submittable",
		"Denne hændelsestype kan ikke indsendes.", "This event type cannot be submitted.", nil)
	errConflict = runtime.Fail(runtime.KindConflict, "id-reused",
		"Hændelsens id (source og id) er allerede brugt til en anden indsendelse. Giv hver indsendelse sit eget id.",
		"The event's id (source and id) was already used for a different submission. Give every submission its own id.", nil)
)

// Signed reports whether eventType must be signed: a blanket (submitted on
// behalf of a company, with the signature recorded in the ledger) needs a
// fresh login; the probe and the case systems' feedback do not.
func Signed(eventType string) bool { return events.Preparable(eventType) }

// CheckData refuses data that is not UTF-8 JSON text PostgreSQL can store:
// invalid UTF-8 (RFC 8259 § 8.1) and strings holding NUL (jsonb cannot).
// Empty data passes (the schema decides whether data is required).
func CheckData(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if !utf8.Valid(data) {
		return events.FieldErrors{{Field: "data", Code: "utf8",
			Da: "Data er ikke gyldig UTF-8-tekst.", En: "The data is not valid UTF-8 text."}}
	}
	if bytes.Contains(data, []byte(`\u0000`)) && hasNUL(data) {
		return events.FieldErrors{{Field: "data", Code: "nul",
			Da: "Data må ikke indeholde tegnet NUL (\\u0000).", En: "The data must not contain the NUL character (\\u0000)."}}
	}
	return nil
}

// hasNUL reports whether decoded JSON data holds a NUL in any string or key.
func hasNUL(data []byte) bool {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return false // not JSON: the schema says so
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return strings.ContainsRune(x, 0)
		case []any:
			return slices.ContainsFunc(x, walk)
		case map[string]any:
			for k, e := range x {
				if strings.ContainsRune(k, 0) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// field reads one top-level string field of JSON data ("" when absent).
func field(data []byte, name string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(m[name], &s) != nil {
		return ""
	}
	return s
}

// AbsenceID is the absence a follow-up or a case system's feedback names
// in its data ("absenceId"), or "". Such a submission belongs in that
// absence's stream.
func AbsenceID(data []byte) string { return field(data, "absenceId") }

// RecipientTenant is the tenant of a receiving authority as the login names
// it: "udk" for "UDK", "municipality:<no>" for a municipality number.
// It returns "" for anything that is neither.
func RecipientTenant(recipient string) string {
	r, err := ids.ParseRecipient(recipient)
	if err != nil {
		return ""
	}
	if r.IsUDK() {
		return "udk"
	}
	m, _ := r.Municipality()
	return "municipality:" + m.String()
}

// mayAs reports whether p's role is one of eventType's senders.
func mayAs(p auth.Principal, eventType string) bool {
	return slices.Contains(events.Senders(eventType), string(p.Role))
}

// Check is the submission policy on what a submission says, before any
// state is read: eventType is one anyone may submit (400 not-submittable);
// the data is UTF-8 JSON that passes the type's schema and its pure domain
// checks (400 with every field); p's role is one of the type's senders
// (Denied "role"); a blanket names in "cvr" a company p may act for
// (auth.Principal.CanActForCVR; Denied "cvr"); feedback names p's own
// recipient (Denied "recipient"); and a Signed type comes from a login no
// older than maxAge at now (ErrLoginTooOld). stream is for the denial's
// record only. The probe may be sent by any login.
func Check(p auth.Principal, eventType, stream string, data []byte, maxAge time.Duration, now time.Time) error {
	if !events.Submittable(eventType) {
		return errNotSubmittable
	}
	if err := CheckData(data); err != nil {
		return err
	}
	if err := events.ValidateJSON(eventType, data); err != nil {
		return err
	}
	if err := events.CheckDomain(eventType, data); err != nil {
		return err
	}
	if eventType != events.ProbeRequested && !mayAs(p, eventType) {
		return Denied{Stream: stream, Reason: "role"}
	}
	switch {
	case events.Preparable(eventType):
		cvr, err := ids.ParseCVR(events.BlanketCVR(data))
		if err != nil || !p.CanActForCVR(cvr) {
			return Denied{Stream: stream, Reason: "cvr"}
		}
	case slices.Contains(events.FeedbackTypes, eventType):
		if t := RecipientTenant(field(data, "recipient")); t == "" || t != p.Tenant() {
			return Denied{Stream: stream, Reason: "recipient"}
		}
	}
	if Signed(eventType) && !p.FreshLogin(maxAge, now) {
		return ErrLoginTooOld
	}
	return nil
}

// CheckPrepare is the policy for storing a blanket to submit later (the
// ventefunktion; POST and PUT /api/v1/prepared): only a blanket can be
// prepared (400 not-preparable: never the case systems' feedback or the
// probe), only by one of its senders (Denied "role"), and when the data
// already names a company in "cvr" it must be one p may act for (Denied
// "cvr"). The data must be UTF-8 JSON PostgreSQL can store (CheckData); it
// need not be complete: Check runs on submission.
func CheckPrepare(p auth.Principal, eventType string, data []byte) error {
	if !events.Preparable(eventType) {
		return events.FieldErrors{{Field: "type", Code: "not-preparable",
			Da: "Denne blankettype kan ikke lægges klar.", En: "This form type cannot be prepared."}}
	}
	if err := CheckData(data); err != nil {
		return err
	}
	if !mayAs(p, eventType) {
		return Denied{Reason: "role"}
	}
	if c := events.BlanketCVR(data); c != "" {
		cvr, err := ids.ParseCVR(c)
		if err != nil || !p.CanActForCVR(cvr) {
			return Denied{Reason: "cvr"}
		}
	}
	return nil
}
