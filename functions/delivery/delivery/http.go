package delivery

import (
	"context"
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

// hide records a refusal in the ledger and answers 404, as for a record
// that does not exist.
func (f *Function) hide(w http.ResponseWriter, r *http.Request, p auth.Principal, resource string) {
	if err := auth.LogDenial(r.Context(), f.svc.DB, p, r, resource, "tenant"); err != nil {
		runtime.WriteError(w, err)
		return
	}
	auth.WriteNotFound(w)
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// fail is a short constructor for domain errors.
func fail(k runtime.Kind, code, da, en string) error { return runtime.Fail(k, code, da, en, nil) }

// withoutCancel keeps work going after the client left.
func withoutCancel(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }
