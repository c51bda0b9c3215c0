package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// principal returns the verified caller (Require put it in the context).
func principal(r *http.Request) auth.Principal {
	p, _ := auth.FromContext(r.Context())
	return p
}

// deny records a refusal in the ledger and answers 403.
func (f *Function) deny(w http.ResponseWriter, r *http.Request, p auth.Principal, resource string) {
	if err := auth.LogDenial(r.Context(), f.svc.DB, p, r, resource, "tenant"); err != nil {
		runtime.WriteError(w, err)
		return
	}
	auth.WriteForbidden(w)
}

// hide records a refusal in the ledger and answers 404, as for a record
// that does not exist.
func (f *Function) hide(w http.ResponseWriter, r *http.Request, p auth.Principal, resource string) {
	if err := auth.LogDenial(r.Context(), f.svc.DB, p, r, resource, "tenant"); err != nil {
		runtime.WriteError(w, err)
		return
	}
	auth.WriteNotFound(w)
}

// readBody decodes a small JSON body into v.
func readBody(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return runtime.Fail(runtime.KindInvalid, "body", "Indholdet kan ikke læses som JSON.", "The body cannot be read as JSON.", err)
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// fail is a short constructor for domain errors.
func fail(k runtime.Kind, code, da, en string) error { return runtime.Fail(k, code, da, en, nil) }

// withoutCancel keeps work going after the client left.
func withoutCancel(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }
