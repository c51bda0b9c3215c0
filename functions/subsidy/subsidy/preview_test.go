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
	rates, err := grants.DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Caps: caps, Rates: rates}
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
	caps, _ := none.With(grants.YearCap{Scheme: grants.SchemeFlexjob, Year: 2024, Amount: kernel.Kr(30000, 0), Source: "test: not a real figure"})
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

// The preview computes the per-hour subsidies: LAB chapter 12, the hours
// worked × the agreement's rate, at most the wages of the hours (here the
// wages paid, 10,000 kr, are less than 100 h × 150 kr); LAB § 159, stk. 3,
// 30 kr an hour for an apprentice from employment. LAB § 133, stk. 3: the
// law's 2019 ceilings, 273.93 kr an hour and 527,091 kr a year.
func TestPreviewComputesTheHourlySchemesAndTheLaws2019Ceilings(t *testing.T) {
	t.Parallel()
	caps, _ := grants.DefaultCaps()
	code, out := preview(t, caps, `{"scheme":"wage","receivedOn":"2024-03-15","hours":100,"hourlyWage":150,"wagesPaid":10000,"hourlySubsidy":120}`)
	h, _ := out["hourly"].(map[string]any)
	if code != http.StatusOK || out["paymentMonth"] != "2024-03" || h["wagesOfHours"] != 10000.0 || h["amount"] != 10000.0 {
		t.Fatalf("wage: %d %v", code, out)
	}
	code, out = preview(t, caps, `{"scheme":"wage","hours":100,"hourlyWage":150,"wagesPaid":20000,"hourlySubsidy":120}`)
	if h, _ := out["hourly"].(map[string]any); code != http.StatusOK || h["amount"] != 12000.0 || h["rate"] != 120.0 {
		t.Fatalf("wage at the agreement's rate: %d %v", code, out)
	}
	code, out = preview(t, caps, `{"scheme":"adultapprentice","month":"2024-02","hours":100.5,"group":"employed"}`)
	if h, _ := out["hourly"].(map[string]any); code != http.StatusOK || h["rate"] != 30.0 || h["amount"] != 3015.0 {
		t.Fatalf("adult apprentice: %d %v", code, out)
	}
	code, out = preview(t, caps, `{"scheme":"adultapprentice","month":"2024-13","group":"retired"}`)
	if code != http.StatusBadRequest || len(out["errors"].([]any)) != 3 {
		t.Fatalf("adult apprentice bad fields: %d %v", code, out)
	}
	code, out = preview(t, caps, `{"scheme":"flexjob","fraction":"2/3","amount":60000,"hours":100,"from":"2019-03-01","paidThisYear":340000}`)
	s, _ := out["subsidy"].(map[string]any)
	// ⅔ of min(60,000; 100 × 273.93 = 27,393) = 18,262; the year's cap ⅔ × 527,091 = 351,394; 11,394 left.
	if code != http.StatusOK || s["hourlyCap"] != 27393.0 || s["cap"] != 351394.0 || s["amount"] != 11394.0 {
		t.Fatalf("flexjob 2019: %d %v", code, out)
	}
}
