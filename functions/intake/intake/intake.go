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
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
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

// Register adds the intake route to svc. Submitters authenticate with a
// bearer token verified by v; types whose policy says Signed need a login no
// older than signingMaxAge.
func Register(svc *runtime.Service, v *auth.Verifier, signingMaxAge time.Duration) {
	svc.Mux.Handle("POST /api/v1/events", auth.Require(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		submit(svc, signingMaxAge, w, r)
	})))
}

func submit(svc *runtime.Service, signingMaxAge time.Duration, w http.ResponseWriter, r *http.Request) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		runtime.WriteError(w, runtime.Fail(runtime.KindUnauthorized, "unauthenticated", "Du skal logge ind.", "You must log in.", nil))
		return
	}
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
	if err := blanket.CheckSubmission(p, in.Type(), in.Data()); err != nil {
		runtime.WriteError(w, err)
		return
	}
	signed := policies[in.Type()].Signed
	if signed && !p.FreshLogin(signingMaxAge, time.Now()) {
		auth.WriteLoginTooOld(w, signingMaxAge)
		return
	}
	actor := Actor{ID: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(), Tenant: p.Tenant(), Signed: signed, Principal: p}
	rc, err := accept(r.Context(), svc, in, actor)
	var d denied
	if errors.As(err, &d) {
		if err := auth.LogDenial(r.Context(), svc.DB, p, r, d.stream, d.reason); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteForbidden(w)
		return
	}
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusAccepted, rc)
}

// Actor is who submits, as the verified token establishes it. Tenant may
// hold a CPR number: it is stored, never logged.
type Actor struct {
	ID, Role, OnBehalfOf, Tenant string
	// Signed submissions record the signature in the ledger entry's reason.
	Signed    bool
	Principal auth.Principal
}

// denied is a refusal found inside the transaction (which then rolls back).
type denied struct{ stream, reason string }

func (d denied) Error() string { return "submission refused: " + d.reason }

// reserved are streams of the system itself, which no submitter may open.
func reserved(stream string) bool {
	return stream == auth.StreamAccessDenied || stream == "ledger-checkpoints" || strings.HasPrefix(stream, "reads/")
}

// claimStream authorises a submission to stream: it finds the stream's
// owner, asks authorize, and claims a new stream for a.Tenant. A stream
// claimed concurrently by someone else is re-checked against its owner.
func claimStream(ctx context.Context, tx *runtime.Tx, stream, eventType string, a Actor) error {
	owner := ""
	if reserved(stream) {
		owner = "system"
	} else if err := tx.QueryRow(ctx, `SELECT tenant FROM stream_owners WHERE stream = $1`, stream).Scan(&owner); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("stream owner: %w", err)
	}
	if reason := authorize(a.Principal, resource{eventType: eventType, owner: owner}); reason != "" {
		return denied{stream: stream, reason: reason}
	}
	if owner != "" {
		return nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO stream_owners (stream, tenant) VALUES ($1, $2) ON CONFLICT (stream) DO NOTHING`, stream, a.Tenant)
	if err != nil {
		return fmt.Errorf("claim stream: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if err := tx.QueryRow(ctx, `SELECT tenant FROM stream_owners WHERE stream = $1`, stream).Scan(&owner); err != nil {
			return fmt.Errorf("stream owner: %w", err)
		}
		if reason := authorize(a.Principal, resource{eventType: eventType, owner: owner}); reason != "" {
			return denied{stream: stream, reason: reason}
		}
	}
	return nil
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
		// Who submitted travels with the event, so every consumer can record
		// the actor and check the tenant without calling back.
		out.SetExtension(events.ExtActor, a.ID)
		out.SetExtension(events.ExtActorRole, a.Role)
		out.SetExtension(events.ExtTenant, a.Tenant)
		if a.OnBehalfOf != "" {
			out.SetExtension(events.ExtOnBehalfOf, a.OnBehalfOf)
		}
		if a.Signed {
			out.SetExtension(events.ExtSigned, "true")
		}
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
		if err := claimStream(ctx, tx, rc.Stream, in.Type(), a); err != nil {
			return err // a denial rolls the submission back
		}
		entry := ledger.Entry{
			Stream: rc.Stream, Actor: a.ID, Role: a.Role, OnBehalfOf: a.OnBehalfOf,
			EventType: out.Type(), EventSource: out.Source(), EventID: out.ID(), Correlation: events.CorrelationID(out),
			Payload: in.Data(), RecordedAt: rc.ReceivedAt,
		}
		if a.Signed {
			entry.Reason = auth.SignatureReason(a.Principal)
		}
		if _, err := tx.Record(ctx, entry); err != nil {
			return err
		}
		return tx.EmitEvent(ctx, out)
	})
	return rc, err
}
