package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

// Issue 16, done criterion: "an employer gets no address for a person it
// does not employ". On the public origin, the demo employer confirms its
// own employee's CPR number by name only, and a person it does not employ
// gets the same answer as a number that does not exist; a caseworker of
// another municipality reads neither person nor income.
func TestEmployerGetsNoAddressForAPersonItDoesNotEmploy(t *testing.T) {
	q := "?purpose=" + url.QueryEscape("e2e: confirm the CPR number")
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	stranger, _ := synth.PersonaByKey(synth.PersonaFailsMonthlyHours) // the seasonal employer's
	var missing ids.CPR
	for i := 0; missing.IsZero(); i++ {
		c := ids.MustCPR(fmt.Sprintf("0101%02d%04d", 50+i%40, i))
		if _, err := stack.Dataset().Person(t.Context(), c); err != nil {
			missing = c
		}
	}

	code, _, own := lookupGet(t, devissuer.PersonaEmployer, "/api/v1/lookup/persons/"+emp.CPR.String()+q)
	if code != http.StatusOK || len(own) != 2 || own["cpr"] != emp.CPR.String() || own["name"] == nil {
		t.Fatalf("own employee: %d %v, want 200 with the cpr and the name only", code, own)
	}
	code, _, foreign := lookupGet(t, devissuer.PersonaEmployer, "/api/v1/lookup/persons/"+stranger.CPR.String()+q)
	if code != http.StatusNotFound || foreign["address"] != nil || foreign["name"] != nil {
		t.Fatalf("a person the employer does not employ: %d %v, want 404 and no address", code, foreign)
	}
	code2, _, none := lookupGet(t, devissuer.PersonaEmployer, "/api/v1/lookup/persons/"+missing.String()+q)
	if code2 != code || fmt.Sprint(none) != fmt.Sprint(foreign) {
		t.Fatalf("not employed %d %v, does not exist %d %v: the answers differ", code, foreign, code2, none)
	}

	ref := registers.MonthOf(time.Now())
	income := fmt.Sprintf("/api/v1/lookup/persons/%s/income%s&from=%s&to=%s", emp.CPR, q, ref.AddMonths(-6), ref.AddMonths(-1))
	for _, path := range []string{"/api/v1/lookup/persons/" + emp.CPR.String() + q, income} {
		if code, _, b := lookupGet(t, devissuer.PersonaCaseworkerAarhus, path); code != http.StatusNotFound || b["address"] != nil || b["months"] != nil {
			t.Fatalf("Aarhus caseworker, a København resident: %d %v, want 404", code, b)
		}
		if code, _, b := lookupGet(t, devissuer.PersonaCaseworker, path); code != http.StatusOK {
			t.Fatalf("København caseworker, a København resident: %d %v, want 200", code, b)
		}
	}
}
