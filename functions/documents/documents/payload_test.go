package documents_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
)

// payloadOf is a delivery payload of the shape kind names, valid against
// the delivery.requested schema: the documents function reads only an
// item's parties and documents, but the event must fit its type
// (runtime.Decode refuses it otherwise).
func payloadOf(t *testing.T, kind, caseRef string) json.RawMessage {
	t.Helper()
	var p events.DeliveryPayload
	switch {
	case strings.HasPrefix(kind, "citizen."):
		p = events.CitizenDeliveryPayload{AbsenceID: caseRef, AnswerID: "answer-1", Kind: strings.TrimPrefix(kind, "citizen."),
			CPR: "1203854321", PersonKind: "employee", SubmittedAt: time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC),
			Signer: events.CitizenSigner{Role: "citizen"}, Answer: json.RawMessage(`{}`)}
	case kind == "parental.report":
		p = events.BlanketItem{Blanket: events.ParentalEmployerReported, Receipt: "NR-2024-000123", Version: 1, Status: "requested",
			Submission: json.RawMessage(`{}`), Result: events.ParentalEmployerResult{CaseID: caseRef, Status: "requested", Version: 1,
				ChildDate: "2024-03-10", Refusion: events.ParentalRefusion{Periods: []events.ParentalPeriodRefusion{}, LeavePeriods: []events.ParentalLeavePeriod{}}}}
	default:
		t.Fatalf("no test payload for kind %q", kind)
	}
	b, err := events.MarshalPayload(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
