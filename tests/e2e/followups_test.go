package e2e

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// submitted posts a blanket as persona through the public origin and
// returns its stream (the case) and receipt.
func submitted(t *testing.T, persona, typ string, data any) (string, string) {
	t.Helper()
	code, ans := postEventAs(t, token(t, persona), blanketEvent(t, typ, data))
	if code != http.StatusAccepted {
		t.Fatalf("%s: %d %v", typ, code, ans)
	}
	stream, _ := ans["stream"].(string)
	receipt, _ := ans["receipt"].(string)
	return stream, receipt
}

// rejectedIn waits for the function's rejection of a follow-up of caseID
// naming code.
func rejectedIn(t *testing.T, fn, caseID, code string, before int) {
	t.Helper()
	eventually(t, "the rejection "+code, func() bool {
		out := outboxOf(t, fn, caseID)
		for _, s := range out {
			if s.Type == events.BlanketRejected && bytes.Contains(s.Data, []byte(`"`+code+`"`)) {
				return count(out, events.BlanketRejected) > before
			}
		}
		return false
	})
}

// The follow-ups of a parental-leave case reach Udbetaling Danmark and of
// a subsidy case the municipality, through the whole stack: a correction
// of the hourly earnings (barselsloven § 39: the refusion computed again)
// is delivered to UDK with the employer's receipt and feedback; another
// employer's cancellation of the leave is refused at the front door (403)
// and reaches no one; a cancelled wage subsidy grant (LAB kapitel 12) is
// delivered to the municipality without feedback and takes no correction
// after it.
func TestFollowUpsReachTheRecipient(t *testing.T) {
	e, _ := synth.PersonaByKey(synth.PersonaEmployee)
	seasonal, _ := synth.PersonaByKey(synth.PersonaSeasonalEmployer)
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	first := time.Now().AddDate(0, 0, -20)
	wages := 7770.0
	leave, _ := submitted(t, devissuer.PersonaEmployer, events.ParentalEmployerReported, events.ParentalEmployerReport{CPR: e.CPR.String(), CVR: e.CVR.String(),
		PNumber: e.PNumber.String(), ChildDate: d(first), WeeklyHours: 37, HourlyEarnings: 210, EmployedSince: "2019-05-01",
		Periods:        []events.LeavePeriod{{From: d(first), To: d(first.AddDate(0, 0, 6)), Kind: events.LeaveBirth, HoursAbsent: 37, WagesPaid: &wages}},
		LeaveContinues: true, Contact: events.Contact{Name: "Lone Løn"}})
	eventually(t, "the request at UDK", func() bool {
		return countWhere(t, `SELECT count(*) FROM delivery.items WHERE case_ref = $1`, leave) == 1
	})

	stream, receipt := submitted(t, devissuer.PersonaEmployer, events.ParentalCorrectionSubmitted, events.ParentalCorrection{AbsenceID: leave, CVR: e.CVR.String(),
		Explanation: "Forkert timeløn", HourlyEarnings: func() *float64 { v := 100.0; return &v }()})
	if stream != leave {
		t.Errorf("the correction went to stream %s, want the leave's %s", stream, leave)
	}
	eventually(t, "the correction at UDK", func() bool {
		return countWhere(t, `SELECT count(*) FROM delivery.items WHERE case_ref = $1 AND kind = 'parental.correction' AND recipient = 'UDK'`, leave) == 1
	})
	eventually(t, "the correction's receipt to the employer", func() bool {
		return countWhere(t, `SELECT count(*) FROM notify.letters WHERE kind = 'sender-receipt' AND reference = $1 AND status = 'sent'`, receipt) == 1
	})
	if n := count(outboxOf(t, "maternity", leave), events.BlanketDecided); n != 2 {
		t.Errorf("%d decisions fed back to the employer, want the request's and the correction's", n)
	}

	// The front door already refuses another sender's follow-up into the
	// leave's stream (the function refuses it too: handler tests).
	if code, ans := postEventAs(t, token(t, devissuer.PersonaEmployerSeasonal), blanketEvent(t, events.ParentalCancellationSubmitted,
		events.FollowUpCancellation{AbsenceID: leave, CVR: seasonal.CVR.String(), Explanation: "x"})); code != http.StatusForbidden {
		t.Errorf("another employer's cancellation of the leave: %d %v, want 403", code, ans)
	}
	time.Sleep(300 * time.Millisecond)
	if n := countWhere(t, `SELECT count(*) FROM delivery.items WHERE case_ref = $1 AND kind = 'parental.cancellation'`, leave); n != 0 {
		t.Errorf("another employer's cancellation reached UDK (%d items)", n)
	}

	n := time.Now()
	from := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	to := from.AddDate(0, 1, -1)
	period := events.DatePeriod{From: d(from), To: d(to)}
	grant, _ := submitted(t, devissuer.PersonaEmployer, events.SubsidyWageRequested, events.SubsidyWageRequest{CPR: e.CPR.String(), CVR: e.CVR.String(), PNumber: e.PNumber.String(),
		Agreement:       events.SubsidyDecision{Reference: "JC-" + uuid.NewString()[:8], Date: d(from.AddDate(0, -1, 0))},
		AgreementPeriod: events.DatePeriod{From: d(from.AddDate(0, -1, 0)), To: d(to.AddDate(0, 5, 0))},
		Period:          period, HoursWorked: 148, HourlyWage: 160, WagesPaid: 23680, Contact: events.Contact{Name: "Lone Løn"}})
	eventually(t, "the request at the municipality", func() bool {
		return countWhere(t, `SELECT count(*) FROM delivery.items WHERE case_ref = $1`, grant) == 1
	})
	submitted(t, devissuer.PersonaEmployer, events.SubsidyCancellationSubmitted, events.FollowUpCancellation{AbsenceID: grant, CVR: e.CVR.String(), Explanation: "Sendt ved en fejl"})
	eventually(t, "the cancellation at the municipality", func() bool {
		return countWhere(t, `SELECT count(*) FROM delivery.items WHERE case_ref = $1 AND kind = 'subsidy.cancellation' AND recipient = '101' AND NOT feedback`, grant) == 1
	})
	if n := count(outboxOf(t, "subsidy", grant), events.BlanketDecided); n != 0 {
		t.Errorf("%d decisions fed back for a subsidy (seeds/000 § 1 stk. 3: none)", n)
	}
	hours := 120.0
	before := count(outboxOf(t, "subsidy", grant), events.BlanketRejected)
	submitted(t, devissuer.PersonaEmployer, events.SubsidyCorrectionSubmitted, events.SubsidyCorrection{AbsenceID: grant, CVR: e.CVR.String(), Explanation: "x", Period: period, Hours: &hours})
	rejectedIn(t, "subsidy", grant, "case.cancelled", before)
}
