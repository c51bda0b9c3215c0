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

// record appends an administrative change by p to the ledger, under the
// delivery function's source (the function that serves it).
func record(r *http.Request, tx *runtime.Tx, p auth.Principal, stream, eventType string, what any) error {
	payload, _ := json.Marshal(what)
	_, err := tx.Record(r.Context(), ledger.Entry{Stream: stream, Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
		EventType: eventType, EventSource: events.SourcePrefix + "delivery", Payload: payload})
	return err
}
