package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// blanketEvent is a structured-mode CloudEvent of typ with data, as a
// sender's system posts it to /api/v1/events.
func blanketEvent(t *testing.T, typ string, data any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"specversion": "1.0", "type": typ, "source": "/e2e/sender", "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// outboxOf reads what function fn emitted for a case (its own outbox
// table: observable state, no test-only wiring).
func outboxOf(t *testing.T, fn, caseID string) []sent {
	t.Helper()
	rows, err := db(t).Query(context.Background(), `SELECT event_type, event->'data' FROM `+fn+`.outbox WHERE partition_key = $1 ORDER BY seq`, caseID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sent
	for rows.Next() {
		var s sent
		if err := rows.Scan(&s.Type, &s.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func letterKinds(out []sent) map[string]int {
	kinds := map[string]int{}
	for _, s := range out {
		if s.Type == events.LetterRequested {
			var l events.LetterRequest
			_ = json.Unmarshal(s.Data, &l)
			kinds[l.Kind]++
		}
	}
	return kinds
}

func countWhere(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db(t).QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// eventually polls cond for up to 30 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// tableRow is one row of the senders-and-blankets table in DOMAIN.md.
type tableRow struct {
	name, persona, typ string
	data               any
	fn, recipient      string
	kind               string
	feedback, notify   bool
}

// checkTableRow submits a blanket through the public origin with the
// persona's token and checks everything the table says about it, present
// and absent: the recipient's stream gets the item (with or without the
// feedback loop), the sender gets its receipt, the person gets a
// notification letter or does not, the sender gets feedback or does not.
func checkTableRow(t *testing.T, row tableRow) {
	t.Helper()
	code, ans := postEventAs(t, token(t, row.persona), blanketEvent(t, row.typ, row.data))
	if code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, ans)
	}
	caseID, _ := ans["stream"].(string)
	receipt, _ := ans["receipt"].(string)
	eventually(t, "the item in the recipient's stream", func() bool {
		return countWhere(t, `SELECT count(*) FROM delivery.items WHERE case_ref = $1`, caseID) > 0
	})
	eventually(t, "the sender's receipt to be sent", func() bool {
		return countWhere(t, `SELECT count(*) FROM notify.letters WHERE kind = 'sender-receipt' AND reference = $1 AND status = 'sent'`, receipt) == 1
	})
	if row.notify {
		eventually(t, "the notification letter to be sent", func() bool {
			return countWhere(t, `SELECT count(*) FROM notify.letters WHERE kind = 'notification' AND reference = $1 AND status = 'sent'`, caseID) == 1
		})
	}
	time.Sleep(300 * time.Millisecond) // anything more would have arrived with the rest

	var recipient, kind string
	var feedback bool
	if err := db(t).QueryRow(context.Background(), `SELECT recipient, kind, feedback FROM delivery.items WHERE case_ref = $1`, caseID).
		Scan(&recipient, &kind, &feedback); err != nil {
		t.Fatalf("delivery item: %v", err)
	}
	if recipient != row.recipient || kind != row.kind || feedback != row.feedback {
		t.Errorf("item %s to %s with feedback %v, want %s to %s with feedback %v", kind, recipient, feedback, row.kind, row.recipient, row.feedback)
	}
	if n := countWhere(t, `SELECT count(*) FROM delivery.items WHERE case_ref = $1`, caseID); n != 1 {
		t.Errorf("%d items, want exactly 1", n)
	}
	out := outboxOf(t, row.fn, caseID)
	wantNotify, wantDecided := 0, 0
	if row.notify {
		wantNotify = 1
	}
	if row.feedback {
		wantDecided = 1
	}
	if l := letterKinds(out); l[events.LetterSenderReceipt] != 1 || l[events.LetterNotification] != wantNotify || len(l) != 1+wantNotify {
		t.Errorf("letters requested %v, want one receipt and %d notification letters", l, wantNotify)
	}
	if n := count(out, events.BlanketDecided); n != wantDecided {
		t.Errorf("%d × feedback (blanket.decided), want %d", n, wantDecided)
	}
	if n := count(out, events.BlanketRejected); n != 0 {
		t.Errorf("rejected: %v", out)
	}
	if n := countWhere(t, `SELECT count(*) FROM notify.letters WHERE kind = 'notification' AND reference = $1`, caseID); n != wantNotify {
		t.Errorf("%d notification letters sent, want %d", n, wantNotify)
	}
	if n := countWhere(t, `SELECT count(*) FROM delivery.absences WHERE absence_id = $1`, caseID); (n == 1) != row.feedback {
		t.Errorf("the sender's feedback view of the case exists: %v, want %v", n == 1, row.feedback)
	}
}

func leaveWeek(daysAgo int, wages *float64) events.LeavePeriod {
	from := time.Now().AddDate(0, 0, -daysAgo)
	return events.LeavePeriod{From: from.Format(time.DateOnly), To: from.AddDate(0, 0, 6).Format(time.DateOnly), Kind: events.LeaveBirth, HoursAbsent: 37, WagesPaid: wages}
}

// Every parental blanket of seeds/000 § 1 goes to Udbetaling Danmark with
// exactly the letters and feedback of the table in DOMAIN.md.
func TestMaternityBlanketsFollowTheTable(t *testing.T) {
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	self, _ := synth.PersonaByKey(synth.PersonaSelfEmployed)
	member, _ := synth.PersonaByKey(synth.PersonaUnemployedMember)
	wages := 7770.0
	child := time.Now().AddDate(0, 0, -40).Format(time.DateOnly)
	for _, row := range []tableRow{
		{name: "employer's refusion request", persona: devissuer.PersonaEmployer, typ: events.ParentalEmployerReported,
			data: events.ParentalEmployerReport{CPR: emp.CPR.String(), CVR: emp.CVR.String(), PNumber: emp.PNumber.String(), ChildDate: child,
				WeeklyHours: 37, HourlyEarnings: 210, EmployedSince: "2019-05-01", Periods: []events.LeavePeriod{leaveWeek(20, &wages)},
				LeaveContinues: true, Contact: events.Contact{Name: "Lone Løn"}},
			fn: "maternity", recipient: "UDK", kind: "parental.report", feedback: true, notify: true},
		{name: "self-employed's barselsdagpenge", persona: devissuer.PersonaSelfEmployed, typ: events.ParentalSelfEmployedReported,
			data: events.ParentalSelfEmployedReport{CPR: self.CPR.String(), CVR: self.CVR.String(), ChildDate: child, WeeklyHours: 40,
				BusinessSince: "2015-06-01", Periods: []events.LeavePeriod{leaveWeek(20, nil)}, Contact: events.Contact{Name: "Selv"}},
			fn: "maternity", recipient: "UDK", kind: "parental.selfemployed.report", feedback: true, notify: false},
		{name: "a-kasse's information", persona: devissuer.PersonaAKasse, typ: events.ParentalAKasseReported,
			data: events.ParentalAKasseReport{CPR: member.CPR.String(), CVR: member.CVR.String(), ChildDate: child, MemberSince: "2010-01-01",
				Insurance: "full-time", FullyUnemployed: true, Periods: []events.LeavePeriod{leaveWeek(20, nil)}, Contact: events.Contact{Name: "A-kassen"}},
			fn: "maternity", recipient: "UDK", kind: "parental.akasse.information", feedback: false, notify: true},
	} {
		t.Run(row.name, func(t *testing.T) { checkTableRow(t, row) })
	}
}

// The employer's request is decided by barselsloven § 39 and § 40: the
// feedback names the rules and the refusion, and the sender's
// reconciliation holds the expected refusion and the next deadline.
func TestMaternityEmployerFeedbackNamesTheLaw(t *testing.T) {
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	wages := 1000.0
	r := events.ParentalEmployerReport{CPR: emp.CPR.String(), CVR: emp.CVR.String(), PNumber: emp.PNumber.String(),
		ChildDate: time.Now().AddDate(0, 0, -41).Format(time.DateOnly), WeeklyHours: 37, HourlyEarnings: 210, EmployedSince: "2019-05-01",
		Periods: []events.LeavePeriod{leaveWeek(30, &wages)}, LeaveContinues: true, Contact: events.Contact{Name: "Lone Løn"}}
	code, ans := postEventAs(t, token(t, devissuer.PersonaEmployer), blanketEvent(t, events.ParentalEmployerReported, r))
	if code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, ans)
	}
	caseID := ans["stream"].(string)
	eventually(t, "the feedback", func() bool { return count(outboxOf(t, "maternity", caseID), events.BlanketDecided) == 1 })
	var d events.BlanketDecision
	for _, s := range outboxOf(t, "maternity", caseID) {
		if s.Type == events.BlanketDecided {
			_ = json.Unmarshal(s.Data, &d)
		}
	}
	rules := map[string]bool{}
	for _, r := range d.Reasons {
		rules[r.Rule] = true
	}
	for _, want := range []string{"recipient.udk", "barsl-39-hourly-rate", "barsl-39-cap", "barsl-40-3-open"} {
		if !rules[want] {
			t.Errorf("feedback lacks %s: %v", want, rules)
		}
	}
	res, _ := d.Result.(events.ParentalEmployerResult)
	if res.Refusion.Total != 100000 || res.Refusion.NextDeadline == "" {
		t.Errorf("refusion capped at the wages paid (1,000 kr) with the next deadline: %+v", d.Result)
	}
	if count(outboxOf(t, "maternity", caseID), events.ReminderScheduled) == 0 {
		t.Error("no reminder of the deadline")
	}
	eventually(t, "the expected refusion in the sender's reconciliation", func() bool {
		return countWhere(t, `SELECT count(*) FROM delivery.expectations WHERE absence_id = $1`, caseID) == 1
	})
}

// Only the blanket's senders may submit it, for their own CVR.
func TestMaternityWrongSenderIsRefusedAtIntake(t *testing.T) {
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	wages := 100.0
	r := events.ParentalEmployerReport{CPR: emp.CPR.String(), CVR: emp.CVR.String(), PNumber: emp.PNumber.String(),
		ChildDate: "2026-01-01", WeeklyHours: 37, HourlyEarnings: 210, EmployedSince: "2019-05-01",
		Periods: []events.LeavePeriod{leaveWeek(30, &wages)}, Contact: events.Contact{Name: "x"}}
	if code, ans := postEventAs(t, token(t, devissuer.PersonaAKasse), blanketEvent(t, events.ParentalEmployerReported, r)); code != http.StatusForbidden {
		t.Errorf("an a-kasse posting an employer's request: %d %v", code, ans)
	}
	r.Periods[0].HoursAbsent = 500 // more than a week's hours
	code, ans := postEventAs(t, token(t, devissuer.PersonaEmployer), blanketEvent(t, events.ParentalEmployerReported, r))
	if code != http.StatusBadRequest {
		t.Fatalf("domain error: %d %v", code, ans)
	}
}

// The preview needs an employer's login; it answers § 39–40 and 422 for a
// year without a maximum rate.
func TestMaternityPreviewThroughThePublicOrigin(t *testing.T) {
	body := `{"periods":[{"from":"2024-03-04","to":"2024-03-10","kind":"birth","hoursAbsent":37,"wagesPaid":7400}],"hourlyEarnings":200,"receivedOn":"2024-04-01"}`
	if r := do(t, "", "POST", "/api/v1/parental/preview", body); r.status != http.StatusUnauthorized {
		t.Fatalf("without login: %d", r.status)
	}
	r := do(t, token(t, devissuer.PersonaEmployer), "POST", "/api/v1/parental/preview", body)
	if r.status != http.StatusOK || r.json()["total"] != 4694.93 {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	r = do(t, token(t, devissuer.PersonaEmployer), "POST", "/api/v1/parental/preview",
		`{"periods":[{"from":"2025-03-03","to":"2025-03-09","kind":"birth","hoursAbsent":37,"wagesPaid":7400}],"hourlyEarnings":200,"receivedOn":"2025-04-01"}`)
	if r.status != http.StatusUnprocessableEntity || r.json()["year"] != 2025.0 {
		t.Errorf("2025 has no rate: %d %s", r.status, r.body)
	}
}
