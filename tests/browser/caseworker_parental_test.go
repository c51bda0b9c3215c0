package browser

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// Issue 20: a caseworker at Udbetaling Danmark reads an employer's parental
// leave request (barselsloven § 39, to Udbetaling Danmark by § 40 stk. 1)
// in the words of its form: the leave's kind in words, the period's days
// and hours, the wages as kroner, the person's name and CPR number and the
// company's name; no schema key.
func TestCaseworkerViewsLabelledParentalItem(t *testing.T) {
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	cpr := emp.CPR.String()[:6] + "-" + emp.CPR.String()[6:]
	// One week of leave after the birth, two weeks back, inside one
	// calendar year (a period may not cross the new year).
	from := time.Now().AddDate(0, 0, -14)
	if from.Year() != from.AddDate(0, 0, 6).Year() {
		from = from.AddDate(0, 0, -7)
	}
	to := from.AddDate(0, 0, 6)
	wages := 7400.0
	data := events.ParentalEmployerReport{CPR: emp.CPR.String(), CVR: emp.CVR.String(), PNumber: emp.PNumber.String(),
		ChildDate: from.Format(time.DateOnly), WeeklyHours: 37, HourlyEarnings: 200, EmployedSince: "2018-02-01",
		Periods:        []events.LeavePeriod{{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Kind: events.LeaveBirth, HoursAbsent: 37, WagesPaid: &wages}},
		LeaveContinues: true, Contact: events.Contact{Name: "Lone Løn"}}
	ev, _ := json.Marshal(map[string]any{"specversion": "1.0", "type": events.ParentalEmployerReported, "source": "/browser-test/parental", "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data})
	var rc struct {
		Receipt string `json:"receipt"`
	}
	if code := apiCall(t, devissuer.PersonaEmployer, http.MethodPost, "/api/v1/events", string(ev), &rc); code != http.StatusAccepted || rc.Receipt == "" {
		t.Fatalf("the parental leave request: %d", code)
	}

	// It reaches Udbetaling Danmark's inbox.
	var absence, item string
	for deadline := time.Now().Add(60 * time.Second); item == ""; time.Sleep(500 * time.Millisecond) {
		for _, a := range inboxAPI(t, devissuer.PersonaUDKCaseworker, "UDK", "?limit=100").Absences {
			for _, it := range a.Items {
				if it.Receipt == rc.Receipt {
					absence, item = a.AbsenceID, it.ItemID
				}
			}
		}
		if item == "" && time.Now().After(deadline) {
			t.Fatal("the parental leave request never reached Udbetaling Danmark's inbox")
		}
	}

	ctx := browser(t, 5*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-caseworker", devissuer.PersonaUDKCaseworker)
	row := `#inbox-table tbody[data-absence="` + absence + `"] tr[data-item="` + item + `"]`
	reloadUntil(t, ctx, "/sagsbehandler", row, 45*time.Second)
	clickMove(t, ctx, row+" a")
	if p := text(t, ctx, "#item-person"); p != "Lars Jensen, CPR-nr. "+cpr {
		t.Errorf("the request's person: %q", p)
	}
	if s := text(t, ctx, "#item-sender"); !strings.HasSuffix(s, "(CVR "+emp.CVR.String()+")") || strings.HasPrefix(s, "CVR") {
		t.Errorf("the request's sender (the company's name from CVR): %q", s)
	}
	content := cells(t, ctx, "#item-content")
	for _, want := range []string{
		"Barnets fødselsdato: " + cwDate(from),
		"Orlovens art: Barselsorlov efter fødslen",
		"Første orlovsdag: " + cwDate(from),
		"Sidste orlovsdag: " + cwDate(to),
		"Udbetalt løn for orlovstimerne: 7.400,00 kr.",
		"Timefortjeneste før AM-bidrag: 200,00 kr.",
		"Medarbejderens CPR-nummer: " + cpr,
	} {
		if !strings.Contains(content, want) {
			t.Errorf("the parental leave request does not show %q:\n%s", want, content)
		}
	}
	noSchemaKeys(t, "the parental leave request", content, "childDate", "periods", "hoursAbsent", "wagesPaid", "leaveContinues", "birth", "true", "false")
	checkPage(t, ctx, "70-caseworker-parental-request")
	setLang(t, ctx, "en")
	if en := cells(t, ctx, "#item-content"); !strings.Contains(en, "Maternity leave after the birth") {
		t.Errorf("the parental leave request in English:\n%s", en)
	}
	setLang(t, ctx, "da")
}
