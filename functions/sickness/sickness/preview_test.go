package sickness

import (
	"encoding/json"
	"fmt"
	"nemrefusion.dk/functions/kernel"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func preview(t *testing.T, h *Handler, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	now := func() time.Time { return time.Date(2024, 3, 20, 12, 0, 0, 0, time.UTC) }
	h.Preview(now)(rec, httptest.NewRequest(http.MethodPost, "/api/v1/refusion/preview", strings.NewReader(body)))
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer is not JSON: %d %s", rec.Code, rec.Body)
	}
	return rec.Code, out
}

func handler(t *testing.T, provisional string) *Handler {
	t.Helper()
	rates, err := kernel.LoadRates(provisional)
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Rates: rates}
}

func TestPreviewAnswersAsSpecified(t *testing.T) {
	t.Parallel()
	code, out := preview(t, handler(t, ""), `{"firstAbsenceDay":"2024-03-04","employedSince":"2020-01-01","wagesPaid":true,
		"hourlyEarnings":200,"weeklyHours":37,"section56":false,"pregnancyRelated":false,"flexjob":false}`)
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, out)
	}
	ep := out["employerPeriod"].(map[string]any)
	if ep["applies"] != true || ep["from"] != "2024-03-04" || ep["to"] != "2024-04-02" {
		t.Errorf("employerPeriod %v", ep)
	}
	if out["refusionFrom"] != "2024-04-03" || out["reportDeadline"] != "2024-04-08" || out["late"] != false {
		t.Errorf("dates %v %v %v", out["refusionFrom"], out["reportDeadline"], out["late"])
	}
	if out["maxHourlyRate"] != 126.89 || out["hourlyRate"] != 126.89 || out["weeklyAmount"] != 4694.93 || out["provisional"] != false {
		t.Errorf("amounts %v %v %v %v", out["maxHourlyRate"], out["hourlyRate"], out["weeklyAmount"], out["provisional"])
	}
	reasons := out["reasons"].([]any)
	for _, r := range reasons {
		m := r.(map[string]any)
		for _, k := range []string{"rule", "law", "textDa", "textEn"} {
			if s, _ := m[k].(string); s == "" {
				t.Errorf("reason without %s: %v", k, m)
			}
		}
	}
}

func TestPreviewRefusionFromIsNullWhenNoneIsDue(t *testing.T) {
	t.Parallel()
	_, out := preview(t, handler(t, ""), `{"firstAbsenceDay":"2024-03-04","lastAbsenceDay":"2024-03-10","employedSince":"2020-01-01",
		"wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,"receivedOn":"2024-03-12"}`)
	if v, ok := out["refusionFrom"]; !ok || v != nil {
		t.Errorf("refusionFrom = %v (present %v), want null", v, ok)
	}
}

func TestPreviewNamesEveryBadFieldAtOnce(t *testing.T) {
	t.Parallel()
	code, out := preview(t, handler(t, ""), `{"firstAbsenceDay":"2024-02-30","employedSince":"soon","wagesPaid":"yes",
		"hourlyEarnings":12.345,"weeklyHours":-1,"hoursLast8Weeks":"many","colour":"blue"}`)
	if code != http.StatusBadRequest {
		t.Fatalf("%d %v", code, out)
	}
	var fields []string
	for _, e := range out["errors"].([]any) {
		m := e.(map[string]any)
		if m["da"] == "" || m["en"] == "" {
			t.Errorf("error without text: %v", m)
		}
		fields = append(fields, m["field"].(string))
	}
	for _, f := range []string{"firstAbsenceDay", "employedSince", "wagesPaid", "hourlyEarnings", "weeklyHours", "hoursLast8Weeks", "colour"} {
		if !slices.Contains(fields, f) {
			t.Errorf("no error for %s among %v", f, fields)
		}
	}
}

func TestPreviewRefusesAYearWithoutRate_422NamingTheYear_ProvisionalRateIsShown(t *testing.T) {
	t.Parallel()
	body := `{"firstAbsenceDay":"2025-03-03","employedSince":"2020-01-01","wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,"receivedOn":"2025-03-20"}`
	code, out := preview(t, handler(t, ""), body)
	if code != http.StatusUnprocessableEntity || out["year"] != 2025.0 || !strings.Contains(out["en"].(string), "2025") {
		t.Fatalf("%d %v", code, out)
	}
	// sygedagpengeloven § 50, stk. 1: the answer names the day whose rate
	// is missing and when the 2025 rate would take effect, in both languages.
	if out["effectiveFrom"] != "2025-01-06" || out["date"] == nil || !strings.Contains(out["da"].(string), "6. januar 2025") ||
		!strings.Contains(out["en"].(string), "6 January 2025") {
		t.Errorf("422 does not name the date and the effective date: %v", out)
	}
	code, out = preview(t, handler(t, "2025=4845"), body)
	if code != http.StatusOK || out["provisional"] != true || out["maxHourlyRate"] != 130.95 {
		t.Fatalf("%d %v", code, out)
	}
	found := false
	for _, r := range out["reasons"].([]any) {
		if r.(map[string]any)["rule"] == "sdl-50-max-rate-provisional" {
			found = true
		}
	}
	if !found {
		t.Error("no reason says the rate is provisional")
	}
}

func TestPreviewOfAnEmployerInsuredUnderSection55_RefusionFromThe2ndDay_ReasonCitesTheLaw(t *testing.T) {
	t.Parallel()
	code, out := preview(t, handler(t, ""), `{"firstAbsenceDay":"2024-03-04","employedSince":"2020-01-01","wagesPaid":true,
		"hourlyEarnings":200,"weeklyHours":37,"insuredSection55":true}`)
	if code != http.StatusOK || out["refusionFrom"] != "2024-03-05" {
		t.Fatalf("%d refusionFrom %v, want 2024-03-05 (sygedagpengeloven § 55)", code, out["refusionFrom"])
	}
	cited := false
	for _, r := range out["reasons"].([]any) {
		m := r.(map[string]any)
		cited = cited || m["rule"] == "sdl-55" && m["law"] == "sygedagpengeloven § 55" && m["source"] != ""
	}
	if !cited {
		t.Errorf("no reason cites sygedagpengeloven § 55 with its source: %v", out["reasons"])
	}
	if code, out := preview(t, handler(t, ""), `{"firstAbsenceDay":"2024-03-04","employedSince":"2020-01-01","wagesPaid":true,
		"hourlyEarnings":200,"weeklyHours":37,"insuredSection55":"ja"}`); code != http.StatusBadRequest {
		t.Errorf("insuredSection55 \"ja\": %d %v, want 400", code, out)
	}
}

// Sygedagpengeloven § 56: the preview checks the agreement's reference
// against the approvals (the stand-in register) as the report will be.
func TestPreviewChecksTheSection56Reference_UnknownOrExpiredIsAFieldError(t *testing.T) {
	t.Parallel()
	const body = `{"firstAbsenceDay":"2024-03-04","employedSince":"2020-01-01","wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,
		"cpr":"1203854321","section56Reference":%q}`
	code, out := preview(t, handler(t, ""), fmt.Sprintf(body, "KK-56-2023-117"))
	if code != http.StatusOK || out["refusionFrom"] != "2024-03-04" {
		t.Fatalf("an approved agreement: %d %v, want refusion from the first absence day", code, out)
	}
	approved := false
	for _, r := range out["reasons"].([]any) {
		approved = approved || r.(map[string]any)["rule"] == "sdl-56-approval"
	}
	if !approved {
		t.Error("no reason names the approval")
	}
	for ref, want := range map[string]string{"KK-56-2021-009": "section56.expired", "KK-56-0000-000": "section56.unknown"} {
		code, out := preview(t, handler(t, ""), fmt.Sprintf(body, ref))
		if code != http.StatusBadRequest {
			t.Fatalf("%s: %d %v, want 400", ref, code, out)
		}
		errs := out["errors"].([]any)
		if len(errs) != 1 {
			t.Fatalf("%s: errors %v", ref, errs)
		}
		e := errs[0].(map[string]any)
		if e["field"] != "section56.reference" || e["code"] != want || e["da"] == "" || e["en"] == "" {
			t.Errorf("%s: error %v, want %s on section56.reference in Danish and English", ref, e, want)
		}
	}
}
