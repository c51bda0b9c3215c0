package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"nemrefusion.dk/infra/devissuer"
)

// The maximum rates are managed data (sygedagpengeloven § 50, stk. 1): a
// year without a rate is refused with a 422 naming it until an
// administrator registers one through the public origin; the sickness
// function (which owns the table) then computes with it, marked
// provisional, and the maternity function gets it through the broker
// (rate.registered) and computes with it too; publishing it makes a new
// version that both use. 2020 is a year DOMAIN.md has no rate for and no
// other test uses (the stack's provisional rate is for the current year).
func TestRatesAreManagedData_AYearWithoutRateIsRegisteredAndUsedByBothFunctions(t *testing.T) {
	employer := token(t, devissuer.PersonaEmployer)
	admin := token(t, devissuer.PersonaAdmin)
	sickness := `{"firstAbsenceDay":"2020-03-02","employedSince":"2015-01-01","wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,"receivedOn":"2020-03-20"}`
	parental := `{"periods":[{"from":"2020-03-02","to":"2020-03-08","kind":"birth","hoursAbsent":37,"wagesPaid":9000}],"hourlyEarnings":200,"receivedOn":"2020-04-01"}`

	r := do(t, employer, "POST", "/api/v1/refusion/preview", sickness)
	if r.status != http.StatusUnprocessableEntity || r.json()["year"] != 2020.0 || r.json()["effectiveFrom"] != "2020-01-06" ||
		!strings.Contains(r.json()["da"].(string), "2020") || !strings.Contains(r.json()["en"].(string), "2020") {
		t.Fatalf("2020 without a rate: %d %s", r.status, r.body)
	}
	if r := do(t, employer, "POST", "/api/v1/parental/preview", parental); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("parental 2020 without a rate: %d %s", r.status, r.body)
	}

	// Only an administrator may change the table.
	body := `{"year":2020,"weekly":4405,"status":"provisional","source":"e2e: provisional until the published rate is entered"}`
	if r := do(t, employer, "POST", "/api/v1/admin/rates", body); r.status != http.StatusForbidden {
		t.Fatalf("employer adds a rate: %d %s", r.status, r.body)
	}
	r = do(t, admin, "POST", "/api/v1/admin/rates", body)
	if r.status != http.StatusCreated {
		t.Fatalf("admin adds 2020: %d %s", r.status, r.body)
	}
	rate := r.json()["rate"].(map[string]any)
	// 4,405 / 37 = 119.054… → 119.05 kr per hour, from Monday 6 January 2020.
	if rate["hourly"] != 119.05 || rate["effectiveFrom"] != "2020-01-06" || rate["status"] != "provisional" {
		t.Fatalf("registered %v", rate)
	}

	r = do(t, employer, "POST", "/api/v1/refusion/preview", sickness)
	if r.status != http.StatusOK || r.json()["provisional"] != true || r.json()["maxHourlyRate"] != 119.05 || r.json()["weeklyAmount"] != 4404.85 {
		t.Fatalf("sickness preview with the provisional 2020 rate: %d %s", r.status, r.body)
	}
	eventually(t, "the maternity function's copy of the 2020 rate", func() bool {
		return do(t, employer, "POST", "/api/v1/parental/preview", parental).status == http.StatusOK
	})
	if r := do(t, employer, "POST", "/api/v1/parental/preview", parental); r.json()["provisional"] != true {
		t.Errorf("parental preview with a provisional rate does not say so: %s", r.body)
	}

	// Published at its final amount: a new version, used by both.
	r = do(t, admin, "POST", fmt.Sprintf("/api/v1/admin/rates/%v/publish", rate["id"]), `{"weekly":4410,"source":"https://example.invalid/satser-2020"}`)
	if r.status != http.StatusCreated || r.json()["rate"].(map[string]any)["version"] != 2.0 {
		t.Fatalf("publish 2020: %d %s", r.status, r.body)
	}
	r = do(t, employer, "POST", "/api/v1/refusion/preview", sickness)
	if r.status != http.StatusOK || r.json()["provisional"] != false || r.json()["maxHourlyRate"] != 119.19 {
		t.Fatalf("sickness preview with the published 2020 rate: %d %s", r.status, r.body)
	}
	eventually(t, "the maternity function's copy of the published 2020 rate", func() bool {
		r := do(t, employer, "POST", "/api/v1/parental/preview", parental)
		return r.status == http.StatusOK && r.json()["provisional"] == false
	})
	r = do(t, admin, "GET", "/api/v1/admin/rates", "")
	if r.status != http.StatusOK || !strings.Contains(r.body, `"year":2020,"version":2`) || !strings.Contains(r.body, `"year":2019,"version":1,"effectiveFrom":"2019-01-07"`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
}
