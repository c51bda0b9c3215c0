package blanket_test

import (
	"context"
	"net/http"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// Issue 16 (Critical): the pipeline's sender check was skipped when an
// event carried no tenant stamp, so a blanket that reached the broker some
// other way than the accept step was decided for whichever CVR its data
// named. Now an event without the stamps (tenant, actor, a sender role) is
// a permanent 400 with no effect, and a stamped tenant other than the
// data's CVR is a recorded rejection.
func TestPipelineRefusesUnstampedSubmissions(t *testing.T) {
	t.Parallel()
	decided := 0
	def := blanket.Define(events.SicknessEmployerReported, func(context.Context, *blanket.Env, events.SicknessEmployerReport) (blanket.Outcome, error) {
		decided++
		return blanket.Outcome{}, events.FieldErrors{{Field: "x", Code: "x", Da: "x", En: "x"}}
	})
	k := blankettest.Start(t, "stamps", def)
	report := map[string]any{"cvr": "30000005"}

	cases := map[string]func(cloudevents.Event) cloudevents.Event{
		"no stamps": func(cloudevents.Event) cloudevents.Event {
			return blankettest.Unstamped(t, def.Type, uuid.NewString(), report)
		},
		"a citizen's role": func(ev cloudevents.Event) cloudevents.Event {
			ev.SetExtension(events.ExtActorRole, "citizen")
			return ev
		},
		"no actor": func(ev cloudevents.Event) cloudevents.Event { ev.SetExtension(events.ExtActor, nil); return ev },
		"no tenant": func(ev cloudevents.Event) cloudevents.Event {
			ev.SetExtension(events.ExtTenant, nil)
			return ev
		},
	}
	for name, mutate := range cases {
		ev := mutate(blankettest.Submission(t, def.Type, uuid.NewString(), report))
		if code, body := k.Post(t, ev); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, code, body)
		}
		if out := k.Outbox(t, events.PartitionKey(ev)); len(out) != 0 {
			t.Errorf("%s: emitted %d events, first %s", name, len(out), out[0].Type)
		}
	}
	if decided != 0 {
		t.Fatalf("decided %d unstamped submissions", decided)
	}

	// Stamped by another company than the data names: refused and reported.
	ev := blankettest.Submission(t, def.Type, uuid.NewString(), report)
	ev.SetExtension(events.ExtTenant, "cvr:19435075")
	k.Deliver(t, ev)
	if n := len(runtimetest.OfType(k.Outbox(t, events.PartitionKey(ev)), events.BlanketRejected)); n != 1 || decided != 0 {
		t.Fatalf("%d rejections, %d decided for a foreign tenant's stamp", n, decided)
	}
}
