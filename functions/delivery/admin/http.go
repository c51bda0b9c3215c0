package admin

import (
	"encoding/json"
	"net/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// principal returns the verified caller (Require put it in the context).
func principal(r *http.Request) auth.Principal {
	p, _ := auth.FromContext(r.Context())
	return p
}

// deny records a refusal in the ledger and answers 403.
func (a *Admin) deny(w http.ResponseWriter, r *http.Request, p auth.Principal, resource string) {
	if err := auth.LogDenial(r.Context(), a.svc.DB, p, r, resource, "tenant"); err != nil {
		runtime.WriteError(w, err)
		return
	}
	auth.WriteForbidden(w)
}

// readBody decodes a JSON body of at most 1 MiB into v.
func readBody(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return runtime.Fail(runtime.KindInvalid, "body", "Indholdet kan ikke læses som JSON.", "The body cannot be read as JSON.", err)
	}
	return nil
}

// record appends an administrative change by p to the ledger, under the
// delivery function's source (the function that serves it).
func record(r *http.Request, tx *runtime.Tx, p auth.Principal, stream, eventType string, what any) error {
	payload, _ := json.Marshal(what)
	_, err := tx.Record(r.Context(), ledger.Entry{Stream: stream, Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
		EventType: eventType, EventSource: events.SourcePrefix + "delivery", Payload: payload})
	return err
}
