package maternity

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/functions/kernel"
)

func preview(t *testing.T, body string) (int, map[string]any) {
	t.Helper()
	rates, err := kernel.DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Rates: rates}
	rec := httptest.NewRecorder()
	h.Preview(func() time.Time { return time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC) })(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// The preview computes § 39 and § 40 as the function does; 400 names
// every bad field; 422 names a year without a maximum rate.
func TestPreviewAnswersRefusionFieldsAndMissingRate(t *testing.T) {
	t.Parallel()
	code, out := preview(t, `{"periods":[{"from":"2024-03-04","to":"2024-03-10","kind":"birth","hoursAbsent":37,"wagesPaid":7400}],"hourlyEarnings":200,"leaveContinues":false}`)
	if code != http.StatusOK || out["total"] != 4694.93 {
		t.Fatalf("preview: %d %v", code, out)
	}
	lp := out["leavePeriods"].([]any)[0].(map[string]any)
	if lp["deadline"] != "2024-05-12" {
		t.Errorf("deadline %v, want 2024-05-12 (a week after 10 March, then 8 weeks)", lp["deadline"])
	}

	code, out = preview(t, `{"periods":[{"from":"2024-03-04","to":"2024-02-10","kind":"nap","hoursAbsent":0}],"hourlyEarnings":1.234,"receivedOn":"2024-02-30"}`)
	if code != http.StatusBadRequest {
		t.Fatalf("bad input: %d %v", code, out)
	}
	var fields []string
	for _, e := range out["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	for _, f := range []string{"hourlyEarnings", "periods.0.hoursAbsent", "periods.0.kind", "periods.0.to", "periods.0.wagesPaid", "receivedOn"} {
		if !slices.Contains(fields, f) {
			t.Errorf("no error for %s in %v", f, fields)
		}
	}

	code, out = preview(t, `{"periods":[{"from":"2025-03-03","to":"2025-03-09","kind":"birth","hoursAbsent":37,"wagesPaid":7400}],"hourlyEarnings":200,"receivedOn":"2025-04-01"}`)
	if code != http.StatusUnprocessableEntity || out["year"] != 2025.0 || out["code"] != "no-rate" {
		t.Errorf("2025 has no rate: %d %v", code, out)
	}
	// sygedagpengeloven § 50, stk. 1: the answer names when the 2025 rate
	// would take effect, in Danish and English.
	if out["effectiveFrom"] != "2025-01-06" || !strings.Contains(out["da"].(string), "6. januar 2025") || !strings.Contains(out["en"].(string), "6 January 2025") {
		t.Errorf("422 does not name the effective date: %v", out)
	}
}
