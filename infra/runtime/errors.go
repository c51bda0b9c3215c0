package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"nemrefusion.dk/events"
)

// Kind says what went wrong in terms a caller can act on; the runtime maps it
// to an HTTP status as the Knative data plane expects: 400 and 422 are never
// retried (they go to the dead-letter sink), 503 and 429 are retried.
type Kind int

// The kinds of error a handler can return.
const (
	KindInternal      Kind = iota // 500, retried: a bug or an unknown failure
	KindInvalid                   // 400: input that can never succeed
	KindUnprocessable             // 422: well-formed, but the rules cannot decide (e.g. no rate for the year)
	KindUnauthorized              // 401: no or bad credentials
	KindForbidden                 // 403: not yours (never says whether it exists)
	KindNotFound                  // 404
	KindConflict                  // 409
	KindUnavailable               // 503, retried: a dependency is down
	KindTooMany                   // 429, retried
)

// Error is an error with a kind, a message safe to show to the caller (in
// Danish and English; never personal data) and optional field errors.
type Error struct {
	Kind   Kind
	Code   string
	Da, En string
	Fields events.FieldErrors
	Err    error
}

func (e *Error) Error() string {
	msg := e.Code
	if e.En != "" {
		msg += ": " + e.En
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid wraps field errors as a 400.
func Invalid(fields events.FieldErrors) error {
	return &Error{Kind: KindInvalid, Code: "invalid", Da: "Oplysningerne er ikke gyldige.", En: "The input is not valid.", Fields: fields}
}

// Fail builds an error of kind k with a code and a message in both languages.
func Fail(k Kind, code, da, en string, cause error) error {
	return &Error{Kind: k, Code: code, Da: da, En: en, Err: cause}
}

// KindOf classifies err: an *Error keeps its kind; field errors are invalid
// input; Postgres connection, serialization and deadlock failures, network
// errors and deadlines are Unavailable (retried); anything else is Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var fe events.FieldErrors
	if errors.As(err, &fe) || errors.Is(err, events.ErrUnknownType) {
		return KindInvalid
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "40", "08", "53", "57": // serialization/deadlock, connection, resources, operator intervention
			return KindUnavailable
		}
		return KindInternal
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) || pgconn.SafeToRetry(err) {
		return KindUnavailable
	}
	// A connection that broke mid-statement (server stopped, network cut:
	// pgx passes up a message cut short as io.ErrUnexpectedEOF) or a
	// transaction left on it: transient. Whatever committed is found again
	// by the retry (inbox, idempotency keys). Handlers map their own
	// decoding errors to KindInvalid before they get here.
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) || errors.Is(err, pgx.ErrTxClosed) {
		return KindUnavailable
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return KindUnavailable
	}
	return KindInternal
}

// Status maps a kind to its HTTP status.
func (k Kind) Status() int {
	switch k {
	case KindInvalid:
		return http.StatusBadRequest
	case KindUnprocessable:
		return http.StatusUnprocessableEntity
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindForbidden:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindConflict:
		return http.StatusConflict
	case KindUnavailable:
		return http.StatusServiceUnavailable
	case KindTooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Problem is the JSON body of every error answer.
type Problem struct {
	Status int                `json:"status"`
	Code   string             `json:"code"`
	Da     string             `json:"da"`
	En     string             `json:"en"`
	Errors events.FieldErrors `json:"errors,omitempty"`
}

// ProblemOf builds the answer for err; internal details never leak.
func ProblemOf(err error) Problem {
	k := KindOf(err)
	p := Problem{Status: k.Status()}
	var e *Error
	var fe events.FieldErrors
	switch {
	case errors.As(err, &e):
		p.Code, p.Da, p.En, p.Errors = e.Code, e.Da, e.En, e.Fields
	case errors.As(err, &fe):
		p.Code, p.Da, p.En, p.Errors = "invalid", "Oplysningerne er ikke gyldige.", "The input is not valid.", fe
	case errors.Is(err, events.ErrUnknownType):
		p.Code, p.Da, p.En = "unknown-type", "Hændelsestypen findes ikke i NemRefusion.", "The event type is not part of NemRefusion."
	case k == KindUnavailable:
		p.Code, p.Da, p.En = "unavailable", "Tjenesten er midlertidigt utilgængelig. Prøv igen om lidt.", "The service is temporarily unavailable. Please try again shortly."
	default:
		p.Code, p.Da, p.En = "internal", "Der opstod en fejl. Prøv igen senere.", "Something went wrong. Please try again later."
	}
	if p.Code == "" {
		p.Code = "error"
	}
	return p
}

// WriteError writes err as a Problem JSON with its status, never cached;
// 503 and 429 carry Retry-After (1 second unless the caller set it).
func WriteError(w http.ResponseWriter, err error) {
	p := ProblemOf(err)
	if (p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests) && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Cache-Control", "no-store") // an error is never a public answer
	WriteJSON(w, p.Status, p)
}

// WriteJSON writes v as JSON with status. API answers may carry personal
// data, so they are never stored by a browser or a proxy
// ("Cache-Control: no-store", unless the caller set a Cache-Control of its
// own for a public answer) and never sniffed as another type
// ("X-Content-Type-Options: nosniff").
func WriteJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ReadJSON decodes a JSON request body of at most 1 MiB into v, refusing
// fields v does not have: KindInvalid with code "body" when it cannot.
func ReadJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Fail(KindInvalid, "body", "Indholdet kan ikke læses som JSON.", "The body cannot be read as JSON.", err)
	}
	return nil
}
