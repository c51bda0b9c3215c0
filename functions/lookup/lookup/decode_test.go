package lookup_test

import (
	"net/http"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime"
)

// A lookup request whose data does not fit its type is answered, not
// refused (the requester waits for a reply): lookup.failed with reason
// invalid and the one code for data that does not fit (runtime.Decode's),
// and nothing is read or recorded.
func TestRequestOfTheWrongShapeIsAnsweredInvalidData(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	for name, data := range map[string]any{
		"undecodable":   map[string]any{"kind": 7, "purpose": purpose},
		"schema-broken": map[string]any{"kind": "person", "cpr": 101, "purpose": purpose},
	} {
		ev := request(t, data)
		if code := f.post(t, ev); code != http.StatusAccepted {
			t.Fatalf("%s: delivery %d, want 202 with lookup.failed", name, code)
		}
		out := f.Sink.CausedBy(ev.ID())
		if len(out) != 1 || out[0].Type() != events.LookupFailed {
			t.Fatalf("%s: replies %v, want one lookup.failed", name, out)
		}
		var fl events.LookupFailure
		mustJSON(t, out[0].Data(), &fl)
		if fl.Reason != events.LookupReasonInvalid || fl.Code != runtime.CodeInvalidData || fl.Da == "" || fl.En == "" {
			t.Errorf("%s: failure %+v, want reason invalid code %s", name, fl, runtime.CodeInvalidData)
		}
		if n := len(f.entries(t, "reads/"+events.PartitionKey(ev))); n != 0 {
			t.Errorf("%s: %d ledger entries for a request that read nothing", name, n)
		}
	}
}

// A cache invalidation whose data does not fit its type is refused with
// 400 and code invalid-data (runtime.Decode): nothing is dropped.
func TestInvalidationOfTheWrongShapeIsInvalidData(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	ev, err := events.New(events.LookupInvalidated, "nrctl", "", map[string]any{"all": "yes", "reason": "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	code, body := f.Post(t, ev)
	if code != http.StatusBadRequest || !strings.Contains(body, `"code":"`+runtime.CodeInvalidData+`"`) {
		t.Fatalf("%d %s; want 400 %s", code, body, runtime.CodeInvalidData)
	}
}
