// Package intake accepts submissions as CloudEvents on POST /api/v1/events
// (binary or structured mode), validates them against the contract, and in
// one transaction stores the submission, appends it to the ledger and puts a
// new event of the same type on the outbox for the broker. It answers 202
// with a receipt only after that transaction committed; a repeated post of
// the same event (same source and id, same sender) returns the same receipt.
package intake

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are intake's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Receipt is the answer to an accepted submission.
type Receipt struct {
	Receipt    string    `json:"receipt"`
	EventID    string    `json:"eventId"`
	Stream     string    `json:"stream"`
	ReceivedAt time.Time `json:"receivedAt"`
}

// Register adds the intake route to svc.
func Register(svc *runtime.Service) {
	svc.Mux.HandleFunc("POST /api/v1/events", func(w http.ResponseWriter, r *http.Request) {
		submit(svc, w, r)
	})
}

func submit(svc *runtime.Service, w http.ResponseWriter, r *http.Request) {
	in, err := runtime.ReadEvent(w, r, 1<<20)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	if !events.Submittable(in.Type()) {
		runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "not-submittable",
			"Denne hændelsestype kan ikke indsendes.", "This event type cannot be submitted.", nil))
		return
	}
	if err := events.Validate(in); err != nil {
		runtime.WriteError(w, err)
		return
	}
	// TODO(login issue): the actor and tenant come from the verified token.
	actor := Actor{ID: "anonymous", Role: "sender", Tenant: ""}
	rc, err := accept(r.Context(), svc, in, actor)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusAccepted, rc)
}

// Actor is who submits, as the login establishes it.
type Actor struct {
	ID, Role, OnBehalfOf, Tenant string
}

// accept stores, records and forwards one validated submission, or returns
// the receipt of the earlier identical one.
func accept(ctx context.Context, svc *runtime.Service, in cloudevents.Event, a Actor) (Receipt, error) {
	var rc Receipt
	err := svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		out, err := events.New(in.Type(), "intake", events.Str(in, events.ExtPartitionKey), nil, nil)
		if err != nil {
			return err
		}
		if err := out.SetData(cloudevents.ApplicationJSON, in.Data()); err != nil {
			return fmt.Errorf("copy data: %w", err)
		}
		rc.EventID, rc.Stream = out.ID(), events.PartitionKey(out)
		out.SetExtension(events.ExtPartitionKey, rc.Stream)
		var n int64
		if err := tx.QueryRow(ctx, `SELECT nextval('receipt_seq')`).Scan(&n); err != nil {
			return fmt.Errorf("receipt number: %w", err)
		}
		rc.ReceivedAt = time.Now().UTC().Truncate(time.Microsecond)
		rc.Receipt = fmt.Sprintf("NR-%d-%08d", rc.ReceivedAt.Year(), n)
		out.SetExtension(events.ExtReceipt, rc.Receipt)
		tag, err := tx.Exec(ctx, `INSERT INTO submissions (tenant, source, id, receipt, event_id, event_type, stream, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant, source, id) DO NOTHING`,
			a.Tenant, in.Source(), in.ID(), rc.Receipt, rc.EventID, in.Type(), rc.Stream, rc.ReceivedAt)
		if err != nil {
			return fmt.Errorf("store submission: %w", err)
		}
		if tag.RowsAffected() == 0 {
			// The same submission again (possibly concurrently, in which case
			// the insert waited for the other transaction): same receipt, no
			// new effect.
			err := tx.QueryRow(ctx, `SELECT receipt, event_id, stream, received_at FROM submissions
				WHERE tenant = $1 AND source = $2 AND id = $3`, a.Tenant, in.Source(), in.ID()).
				Scan(&rc.Receipt, &rc.EventID, &rc.Stream, &rc.ReceivedAt)
			if err != nil {
				return fmt.Errorf("find submission: %w", err)
			}
			return nil
		}
		if _, err := tx.Record(ctx, ledger.Entry{
			Stream: rc.Stream, Actor: a.ID, Role: a.Role, OnBehalfOf: a.OnBehalfOf,
			EventType: out.Type(), EventSource: out.Source(), EventID: out.ID(), Correlation: events.CorrelationID(out),
			Payload: in.Data(), RecordedAt: rc.ReceivedAt,
		}); err != nil {
			return err
		}
		return tx.EmitEvent(ctx, out)
	})
	return rc, err
}
