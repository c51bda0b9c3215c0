package runtimetest

import (
	"encoding/json"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
)

// Delivered is the delivery.requested a blanket function emits when it
// delivers the employer's sickness report of absence to recipient (a
// municipality number or "UDK"), sent by sender ("cvr:<cvr>"): a payload
// that fits the kind, as the schema requires. Tests of what follows a
// delivery (which recipient may post feedback into which stream) use it.
func Delivered(t testing.TB, absence, recipient, sender string) cloudevents.Event {
	t.Helper()
	payload, err := events.MarshalPayload(events.BlanketItem{Blanket: events.SicknessEmployerReported, Receipt: "NR-2024-000123",
		Version: 1, Status: "reported", Submission: json.RawMessage(`{}`),
		Result: events.SicknessResult{AbsenceID: absence, Status: "reported", FirstAbsenceDay: "2024-03-04"}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := events.New(events.DeliveryRequested, "sickness", absence, events.DeliveryRequest{ItemID: absence + "/sickness.report/1",
		Recipient: recipient, Kind: "sickness.report", CaseRef: absence, Sender: sender, Payload: payload}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
