package notify_test

import (
	"net/http"
	"strings"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime"
)

// A request whose data does not fit its type's schema can never succeed:
// it is refused with 400 and the one code for that (runtime.Decode), and
// nothing is sent or announced.
func TestRequestsOfTheWrongShapeAreInvalidData(t *testing.T) {
	f := start(t)
	for typ, data := range map[string]any{
		events.LetterRequested: map[string]any{"kind": 7, "recipient": map[string]any{}, "reference": "NR-2024-00000042"},
		events.SMSRequested:    map[string]any{"recipient": "not a party", "text": 160},
	} {
		ev := newEvent(t, typ, data)
		code, body := f.Post(t, ev)
		if code != http.StatusBadRequest || !strings.Contains(body, `"code":"`+runtime.CodeInvalidData+`"`) {
			t.Errorf("%s: %d %s; want 400 %s", typ, code, body, runtime.CodeInvalidData)
		}
		if out := f.Sink.Where(func(e cloudevents.Event) bool {
			return events.Str(e, events.ExtCausationID) == ev.ID()
		}); len(out) != 0 {
			t.Errorf("%s: %d events emitted for an invalid request", typ, len(out))
		}
	}
}
