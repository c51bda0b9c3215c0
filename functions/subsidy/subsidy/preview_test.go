package subsidy

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/subsidy/grants"
)

func preview(t *testing.T, caps grants.Caps, body string) (int, map[string]any) {
	t.Helper()
	h := &Handler{Caps: caps}
	rec := httptest.NewRecorder()
	h.Preview(func() time.Time { return time.Date(2024, 3, 16, 12, 0, 0, 0, time.UTC) })(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// The preview refuses a flexjob subsidy whose yearly cap is unknown with a
// 422 naming scheme and year, computes it when the cap is known, names
// every bad field, and tells when a wage subsidy is paid.
func TestPreviewRefusesAnUnknownCapWith422(t *testing.T) {
	t.Parallel()
	none, _ := grants.DefaultCaps()
	code, out := preview(t, none, `{"scheme":"flexjob","fraction":"2/3","amount":24000,"from":"2024-03-01"}`)
	if code != http.StatusUnprocessableEntity || out["code"] != "no-cap" || out["year"] != 2024.0 || out["scheme"] != "flexjob" {
		t.Fatalf("unknown cap: %d %v", code, out)
	}
	caps, _ := none.With(grants.YearCap{Scheme: grants.SchemeFlexjob, Year: 2024, Amount: kernel.Kr(20000, 0), Source: "test: not a real figure"})
	code, out = preview(t, caps, `{"scheme":"flexjob","fraction":"2/3","amount":24000,"from":"2024-03-01","paidThisYear":10000}`)
	if code != http.StatusOK || out["subsidy"].(map[string]any)["amount"] != 10000.0 {
		t.Fatalf("known cap: %d %v", code, out)
	}
	code, out = preview(t, none, `{"scheme":"selfemployed136","fraction":"3/4","amount":1.234,"from":"2024-02-30"}`)
	if code != http.StatusBadRequest || len(out["errors"].([]any)) != 3 {
		t.Fatalf("bad fields: %d %v", code, out)
	}
	code, out = preview(t, none, `{"scheme":"wage"}`)
	if code != http.StatusOK || out["paymentMonth"] != "2024-04" {
		t.Fatalf("received on the 16th is paid next month: %d %v", code, out)
	}
}
