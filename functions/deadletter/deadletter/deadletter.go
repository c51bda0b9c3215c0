// Package deadletter is the dead-letter sink of every Trigger: it stores each
// event the broker gave up on (with knativeerrorcode, knativeerrordest), puts
// an entry in the event's ledger stream and lists them for operators, so an
// undeliverable event is visible rather than lost.
package deadletter

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the dead-letter function's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Register wires the sink and the listing into svc; the listing requires a
// token verified by v. The sink at "/" takes broker deliveries inside the
// cluster and is not a public route.
func Register(svc *runtime.Service, v *auth.Verifier) {
	svc.OnOther(store)
	svc.Mux.Handle("GET /api/v1/dead-letters", auth.Require(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list(svc, w, r)
	})))
}

// listResource names the dead-letter list in the ledger.
const listResource = "dead-letters"

// authorize is the dead-letter function's one place for authorisation: it
// returns "" when p may see the dead letters (administrators only),
// otherwise the reason recorded in the ledger.
func authorize(p auth.Principal, _ string) string {
	if p.Is(auth.RoleAdmin) {
		return ""
	}
	return "role"
}

func store(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode dead letter: %w", err)
	}
	code, dest := events.Str(ev, "knativeerrorcode"), events.Str(ev, "knativeerrordest")
	if _, err := tx.Exec(ctx, `INSERT INTO dead_letters (event_id, event_source, event_type, partition_key, error_code, error_dest, event)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, ev.ID(), ev.Source(), ev.Type(), events.PartitionKey(ev), code, dest, body); err != nil {
		return fmt.Errorf("store dead letter: %w", err)
	}
	reason, _ := json.Marshal(map[string]string{"deadLettered": "true", "errorCode": code, "errorDest": dest})
	if _, err := tx.Record(ctx, ledger.Entry{Reason: reason}); err != nil {
		return err
	}
	runtime.Logger(ctx).WarnContext(ctx, "event dead-lettered", "error_code", code, "error_dest", dest)
	return nil
}

type item struct {
	Seq          int64     `json:"seq"`
	EventID      string    `json:"eventId"`
	EventSource  string    `json:"eventSource"`
	EventType    string    `json:"eventType"`
	PartitionKey string    `json:"partitionKey"`
	ErrorCode    string    `json:"errorCode"`
	ErrorDest    string    `json:"errorDest"`
	ReceivedAt   time.Time `json:"receivedAt"`
}

// list answers GET /api/v1/dead-letters: the unresolved ones, newest first.
// A refusal (403) and an allowed read are both recorded in the ledger.
func list(svc *runtime.Service, w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	if reason := authorize(p, listResource); reason != "" {
		auth.Deny(w, r, svc.DB, p, listResource, reason)
		return
	}
	if _, err := ledger.Append(r.Context(), svc.DB, auth.ReadEntry(p, r, listResource)); err != nil {
		runtime.WriteError(w, err)
		return
	}
	rows, err := svc.DB.Query(r.Context(), `SELECT seq, event_id, event_source, event_type, partition_key, error_code, error_dest, received_at
		FROM dead_letters WHERE resolved_at IS NULL ORDER BY seq DESC LIMIT 500`)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	defer rows.Close()
	out := []item{}
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.Seq, &it.EventID, &it.EventSource, &it.EventType, &it.PartitionKey, &it.ErrorCode, &it.ErrorDest, &it.ReceivedAt); err != nil {
			runtime.WriteError(w, err)
			return
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, map[string]any{"deadLetters": out})
}
