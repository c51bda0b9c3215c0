package accept

import (
	"context"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/runtime"
)

// OnDeliveryRequested records who an absence is delivered to, so the case
// systems' feedback is admitted only from there: the recipient of
// delivery.requested.v1 (a municipality number or "UDK") for its caseRef.
// A company that sent the item (sender, a CVR) is recorded as the stream's
// owner when nobody owns it yet (an absence whose id the blanket function
// chose itself). Register it on one function only (intake, which has the
// Trigger); it is idempotent. Data that does not fit the type is a
// permanent 400 with code invalid-data (runtime.Decode). It keeps the
// untyped signature because intake registers it with svc.On and tests call
// it inside their own transactions.
func (f *Front) OnDeliveryRequested(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event) error {
	d, err := runtime.Decode[events.DeliveryRequest](ev)
	if err != nil {
		return err
	}
	if d.CaseRef == "" || d.Recipient == "" {
		return events.FieldErrors{{Field: "caseRef", Code: "required", Da: "Sagen mangler.", En: "The case is missing."}}
	}
	tenant := RecipientTenant(d.Recipient)
	if tenant == "" {
		return events.FieldErrors{{Field: "recipient", Code: "recipient", Da: "Modtageren er ugyldig.", En: "The recipient is not valid."}}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+f.schema+`.stream_recipients (stream, tenant) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		d.CaseRef, tenant); err != nil {
		return fmt.Errorf("record recipient: %w", err)
	}
	if cvr, err := ids.ParseCVR(d.Sender); err == nil && !Reserved(d.CaseRef) {
		if _, err := tx.Exec(ctx, `INSERT INTO `+f.schema+`.stream_owners (stream, tenant) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			d.CaseRef, "cvr:"+cvr.String()); err != nil {
			return fmt.Errorf("record owner: %w", err)
		}
	}
	return nil
}
