package runtime_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"nemrefusion.dk/infra/runtime/runtimetest"
)

// TestMetricsAreCleanAndComplete is what a Prometheus operator checks: the
// exposition passes promlint (what `promtool check metrics` runs), every
// metric of ours has the nemrefusion_ prefix, label values come from closed
// sets (the type label holds only event types the function handles, never a
// sentinel such as "invalid"), requests on the app port are counted by route
// pattern, and the outbox backlog is a gauge.
func TestMetricsAreCleanAndComplete(t *testing.T) {
	t.Parallel()
	f := start(t)
	f.Sink.SetFailing(true) // the handled event's emitted event stays in the outbox
	if code, body := f.post(t, newEvent(t, "ok"), false); code != http.StatusAccepted {
		t.Fatalf("handled event: %d %s", code, body)
	}
	do := func(r *http.Request, sign bool) {
		t.Helper()
		if sign {
			runtimetest.SignDelivery(t, r, f.Svc.Name)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	other := newEvent(t, "ok")
	other.SetType("dk.nemrefusion.test.other.v1")
	unhandled, _ := http.NewRequest(http.MethodPost, f.URL()+"/", nil)
	_ = cehttp.WriteRequest(context.Background(), binding.ToMessage(&other), unhandled)
	do(unhandled, true)
	invalid, _ := http.NewRequest(http.MethodPost, f.URL()+"/", strings.NewReader(`{"hello":1}`))
	invalid.Header.Set("Content-Type", "application/json")
	do(invalid, true)
	anonymous, _ := http.NewRequest(http.MethodPost, f.URL()+"/", strings.NewReader(`{}`))
	do(anonymous, false)
	health, _ := http.NewRequest(http.MethodGet, f.URL()+"/healthz", nil)
	do(health, false)
	nowhere, _ := http.NewRequest(http.MethodGet, f.URL()+"/no/such/page/4711", nil)
	do(nowhere, false)

	mfs, err := f.Svc.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	values := map[string]map[string]map[string]float64{} // metric -> label -> value -> sum
	byName := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		name := mf.GetName()
		byName[name] = mf
		if !strings.HasPrefix(name, "nemrefusion_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("metric %s lacks the nemrefusion_ prefix", name)
		}
		values[name] = map[string]map[string]float64{}
		for _, m := range mf.GetMetric() {
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
			for _, l := range m.GetLabel() {
				if values[name][l.GetName()] == nil {
					values[name][l.GetName()] = map[string]float64{}
				}
				values[name][l.GetName()][l.GetValue()] += v
			}
		}
	}
	for v := range values["nemrefusion_events_handled_total"]["type"] {
		if v != testType {
			t.Errorf("nemrefusion_events_handled_total has type=%q, a value that is not a handled event type", v)
		}
	}
	if values["nemrefusion_events_handled_total"]["type"][testType] != 1 {
		t.Errorf("handled events by type: %v, want one %s", values["nemrefusion_events_handled_total"]["type"], testType)
	}
	for _, reason := range []string{"unauthenticated", "invalid", "unhandled"} {
		if values["nemrefusion_events_refused_total"]["reason"][reason] != 1 {
			t.Errorf("refused deliveries by reason: %v, want one %q", values["nemrefusion_events_refused_total"]["reason"], reason)
		}
	}
	routes := values["nemrefusion_http_requests_total"]["route"]
	if routes["GET /healthz"] != 1 || routes["POST /{$}"] != 4 {
		t.Errorf("requests by route: %v, want GET /healthz once and POST /{$} four times", routes)
	}
	for r := range routes {
		if strings.Contains(r, "4711") {
			t.Errorf("a request path became a route label value: %q", r)
		}
	}
	if values["nemrefusion_http_unmatched_total"]["status"]["404"] != 1 {
		t.Errorf("unmatched requests: %v, want one 404", values["nemrefusion_http_unmatched_total"]["status"])
	}
	backlog := byName["nemrefusion_outbox_backlog"]
	if backlog == nil || backlog.GetType() != dto.MetricType_GAUGE || backlog.GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Errorf("nemrefusion_outbox_backlog: %v, want a gauge of 1 (the event the broker refused)", backlog)
	}
	if byName["nemrefusion_outbox_oldest_age_seconds"] == nil {
		t.Error("no nemrefusion_outbox_oldest_age_seconds")
	}
}
