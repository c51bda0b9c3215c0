package lookup_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// TestMetricsHaveTheProjectPrefix: the cache counters are named like every
// other metric of ours (nemrefusion_…), so one prefix selects them all, and
// they pass promlint (what `promtool check metrics` runs).
func TestMetricsHaveTheProjectPrefix(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	mfs, err := f.Svc.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	cache := 0
	for _, mf := range mfs {
		name := mf.GetName()
		if strings.Contains(name, "lookup_cache") {
			cache++
		}
		if !strings.HasPrefix(name, "nemrefusion_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("metric %s lacks the nemrefusion_ prefix", name)
		}
	}
	if cache != 4 {
		t.Errorf("%d lookup cache metrics, want 4 (hits, misses, failures, skipped)", cache)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
