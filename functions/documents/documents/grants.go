package documents

import (
	"context"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// onDeliveryRequested records the parties of the delivery's absence (the
// recipient, a sending company) and that the recipient of a delivery may
// read the documents that go with it (seeds/000 § 1 stk. 2: the item and
// its documents are the receiving authority's). A repeated event, or another
// item naming the same document for the same recipient, adds nothing.
func (f *Function) onDeliveryRequested(ctx context.Context, tx *runtime.Tx, _ cloudevents.Event, req events.DeliveryRequest) error {
	if err := addParties(ctx, tx, req.CaseRef, deliveryParties(req)); err != nil {
		return err
	}
	if len(req.DocumentRefs) == 0 {
		return nil
	}
	r, err := ids.ParseRecipient(req.Recipient)
	if err != nil {
		return events.FieldErrors{{Field: "recipient", Code: "unknown-recipient", Da: "Modtageren findes ikke.", En: "The recipient does not exist."}}
	}
	for _, ref := range req.DocumentRefs {
		id, err := uuid.Parse(ref)
		if err != nil {
			// Not an id this function hands out: nothing to grant.
			runtime.Logger(ctx).WarnContext(ctx, "delivery names a document id that is not a uuid; no grant", "item", req.ItemID)
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO grants (document_id, recipient, item_id) VALUES ($1, $2, $3)
			ON CONFLICT (document_id, recipient) DO NOTHING`, id, r.String(), req.ItemID); err != nil {
			return fmt.Errorf("grant document %s: %w", id, err)
		}
	}
	return nil
}

// recipients returns the receiving authorities granted document id.
func (f *Function) recipients(ctx context.Context, id string) ([]ids.Recipient, error) {
	rows, err := f.svc.DB.Query(ctx, `SELECT recipient FROM grants WHERE document_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("load grants of %s: %w", id, err)
	}
	defer rows.Close()
	var out []ids.Recipient
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if r, err := ids.ParseRecipient(s); err == nil {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// authorize decides whether p may see d: principals of the uploader's
// tenant (the citizen themself or their proxy, the company that uploaded),
// and the caseworkers of a receiving authority a delivery of d went to
// (granted; auth.Principal.CanSeeRecipient: the municipality's caseworkers
// and case systems, UDK caseworkers for UDK).
func authorize(p auth.Principal, d Document, granted []ids.Recipient) bool {
	if p.Tenant() != "" && p.Tenant() == d.Tenant {
		return true
	}
	for _, r := range granted {
		if p.CanSeeRecipient(r) {
			return true
		}
	}
	return false
}
