package intake_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"nemrefusion.dk/events"
)

// TestSubmissionsAreCounted: the public API's submissions show on /metrics
// by blanket type and outcome, and a type that is not a blanket does not
// become a label value (anyone could otherwise grow the series without end).
func TestSubmissionsAreCounted(t *testing.T) {
	t.Parallel()
	d := startDoor(t)
	ex, err := os.ReadFile("../../../schemas/examples/sickness.employer.reported.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	ok := event(events.SicknessEmployerReported, uuid.NewString(), json.RawMessage(ex))
	if code, out := d.post(t, employer("30000005"), ok); code != http.StatusAccepted {
		t.Fatalf("report: %d %v", code, out)
	}
	foreign := event(events.SicknessEmployerReported, uuid.NewString(), json.RawMessage(ex))
	if code, _ := d.post(t, employer("30000013"), foreign); code != http.StatusForbidden {
		t.Fatalf("another employer's CVR in the data: %d, want 403", code)
	}
	bogus := event("dk.nemrefusion.made.up.by.anyone.4711.v1", uuid.NewString(), json.RawMessage(`{}`))
	if code, _ := d.post(t, employer("30000005"), bogus); code == http.StatusAccepted {
		t.Fatal("a made-up type was accepted")
	}
	want := `
# HELP nemrefusion_intake_submissions_total Blankets submitted on POST /api/v1/events, by blanket type (empty when not a known blanket) and outcome (accepted or the problem code answered).
# TYPE nemrefusion_intake_submissions_total counter
nemrefusion_intake_submissions_total{function="` + d.k.Svc.Name + `",outcome="accepted",type="` + events.SicknessEmployerReported + `"} 1
nemrefusion_intake_submissions_total{function="` + d.k.Svc.Name + `",outcome="forbidden",type="` + events.SicknessEmployerReported + `"} 1
nemrefusion_intake_submissions_total{function="` + d.k.Svc.Name + `",outcome="not-submittable",type=""} 1
`
	if err := testutil.GatherAndCompare(d.k.Svc.Metrics, strings.NewReader(want), "nemrefusion_intake_submissions_total"); err != nil {
		t.Error(err)
	}
}
