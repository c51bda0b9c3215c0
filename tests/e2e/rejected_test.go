package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/infra/devissuer"
)

// Issue 18 (executive order § 1 stk. 3: senders follow their cases): an
// employer's report about a person CPR does not know gets a receipt at
// intake and is then rejected by the sickness function; within seconds it
// is in the employer's work list as "rejected", with the reason, instead
// of looking received for ever.
func TestRejectedReportIsListedAsRejected(t *testing.T) {
	tok := token(t, devissuer.PersonaEmployer)
	r := employeeReport(t, time.Now().AddDate(0, 0, -5))
	r.CPR = "3112999999" // a valid date, not in the synthetic CPR
	code, receipt := postEventAs(t, tok, employerBlanket(t, uuid.NewString(), "", r))
	if code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, receipt)
	}
	want, _ := receipt["receipt"].(string)
	type row struct {
		Receipt   string `json:"receipt"`
		Blanket   string `json:"blanket"`
		Status    string `json:"status"`
		AbsenceID string `json:"absenceId"`
		Reasons   []struct {
			Field, Code, Da, En string
		} `json:"reasons"`
	}
	var got row
	posted := time.Now()
	deadline := posted.Add(15 * time.Second)
	for got.Receipt == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the rejected report %s is not listed as rejected", want)
		}
		time.Sleep(200 * time.Millisecond)
		rep := do(t, tok, "GET", "/api/v1/feedback/absences?status=rejected&q="+want, "")
		if rep.status != http.StatusOK {
			t.Fatalf("list: %d %s", rep.status, rep.body)
		}
		var list struct {
			Absences []row `json:"absences"`
			Total    int   `json:"total"`
		}
		if err := json.Unmarshal([]byte(rep.body), &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Absences) == 1 {
			got = list.Absences[0]
		}
	}
	t.Logf("listed as rejected %v after the 202", time.Since(posted).Round(10*time.Millisecond))
	if got.Status != "rejected" || got.Receipt != want || len(got.Reasons) == 0 || got.Reasons[0].Field != "cpr" || got.Reasons[0].Code != "cpr.unknown" ||
		got.Reasons[0].Da == "" || got.Reasons[0].En == "" {
		t.Errorf("rejected row: %+v", got)
	}
}
