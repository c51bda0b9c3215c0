package delivery_test

import (
	"net/http"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime"
)

// Every consumed event whose data does not fit its type is refused with
// the one code for that (runtime.Decode), before a handler sees it.
func TestEventsOfTheWrongShapeAreInvalidData(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	for typ, data := range map[string]any{
		events.DeliveryRequested: map[string]any{"itemId": "x", "recipient": "101", "kind": "k", "caseRef": absence, "payload": "not an object"},
		events.RefusionExpected:  map[string]any{"absenceId": absence, "periods": 7},
		events.CaseRegistered:    map[string]any{"absenceId": absence, "recipient": 101},
		events.PaymentMade:       map[string]any{"absenceId": absence, "amountOre": "many"},
	} {
		ev, err := events.New(typ, "test", absence, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		code, body := f.Post(t, ev)
		if code != http.StatusBadRequest || !strings.Contains(body, `"code":"`+runtime.CodeInvalidData+`"`) {
			t.Errorf("%s: %d %s; want 400 %s", typ, code, body, runtime.CodeInvalidData)
		}
	}
}
