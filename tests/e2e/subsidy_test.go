package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// Every subsidy blanket of seeds/000 § 1 goes to the person's municipality
// with a receipt to the sender and no feedback (§ 1 stk. 3); only the job
// clarification request (LAS § 69 t) gets the person's notification letter
// (§ 1 stk. 8 exempts the others).
func TestSubsidyBlanketsFollowTheTable(t *testing.T) {
	e, _ := synth.PersonaByKey(synth.PersonaEmployee)
	n := time.Now()
	from := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	to := from.AddDate(0, 1, -1)
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	period := events.DatePeriod{From: d(from), To: d(to)}
	ref := uuid.NewString()[:8]
	dec := func(prefix string) events.SubsidyDecision {
		return events.SubsidyDecision{Reference: prefix + ref, Date: d(from.AddDate(0, -1, 0))}
	}
	cpr, cvr, pn, c := e.CPR.String(), e.CVR.String(), e.PNumber.String(), events.Contact{Name: "Lone Løn"}
	row := func(name, persona, typ, scheme, recipient string, data any) tableRow {
		// § 1 stk. 8 exempts every subsidy from the notification letter
		// but job clarification (LAS § 69 t).
		return tableRow{name: name, persona: persona, typ: typ, data: data, fn: "subsidy", recipient: recipient, kind: "subsidy." + scheme,
			notify: typ == events.SubsidyJobClarificationRequested}
	}
	for _, r := range []tableRow{
		row("wage subsidy (LAB chapter 12)", devissuer.PersonaEmployer, events.SubsidyWageRequested, "wage", "101",
			events.SubsidyWageRequest{CPR: cpr, CVR: cvr, PNumber: pn, Agreement: dec("JC-"), AgreementPeriod: events.DatePeriod{From: d(from.AddDate(0, -1, 0)), To: d(to.AddDate(0, 5, 0))},
				Period: period, HoursWorked: 148, HourlyWage: 160, WagesPaid: 23680, Contact: c}),
		row("job clarification refusion (LAS § 69 t)", devissuer.PersonaEmployer, events.SubsidyJobClarificationRequested, "jobclarification", "101",
			events.SubsidyJobClarificationRequest{CPR: cpr, CVR: cvr, PNumber: pn, Decision: dec("JA-"), ProcessStart: d(from), Period: period, HoursPaid: 148, WagesPaid: 26000, Contact: c}),
		row("adult apprentice subsidy (LAB § 159)", devissuer.PersonaEmployer, events.SubsidyAdultApprenticeRequested, "adultapprentice", "101",
			events.SubsidyAdultApprenticeRequest{CPR: cpr, CVR: cvr, PNumber: pn, Agreement: dec("UA-"), Decision: dec("VL-"), Month: from.Format("2006-01"), Hours: 160.5, Contact: c}),
		row("mentor subsidy (LAB chapter 26)", devissuer.PersonaEmployer, events.SubsidyMentorRequested, "mentor", "101",
			events.SubsidyMentorRequest{CPR: cpr, CVR: cvr, PNumber: pn, Decision: dec("ME-"), Grant: events.DatePeriod{From: d(from), To: d(from.AddDate(0, 6, -1))},
				Period: period, MentorHours: 12, Cost: 3600, Contact: c}),
	} {
		t.Run(r.name, func(t *testing.T) { checkTableRow(t, r) })
	}
}

// LAB § 133, stk. 3, and § 136, stk. 2: the subsidy's ceiling is regulated
// each year and only the law's 2019 figure is in the table, so a flexjob or
// § 136 request for last month is rejected by the subsidy function with a
// field error naming the law and the year, in Danish and English — never
// delivered without its cap. The sender's work list shows the rejection.
func TestSubsidyWithoutTheYearsCapIsRejectedNamingTheYear(t *testing.T) {
	e, _ := synth.PersonaByKey(synth.PersonaEmployee)
	s, _ := synth.PersonaByKey(synth.PersonaSelfEmployed)
	n := time.Now()
	from := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	period := events.DatePeriod{From: from.Format(time.DateOnly), To: from.AddDate(0, 1, -1).Format(time.DateOnly)}
	ref := uuid.NewString()[:8]
	year := fmt.Sprint(from.Year())
	for _, c := range []struct {
		law, persona, typ string
		data              any
	}{
		{"LAB § 133", devissuer.PersonaEmployer, events.SubsidyFlexjobRequested, events.SubsidyFlexjobRequest{CPR: e.CPR.String(), CVR: e.CVR.String(),
			PNumber: e.PNumber.String(), Agreement: events.SubsidyDecision{Reference: "FJ-" + ref, Date: "2011-09-01"},
			Fraction: "2/3", Period: period, HoursWorked: 120, WagesPaid: 24000, Contact: events.Contact{Name: "Lone Løn"}}},
		{"LAB § 136", devissuer.PersonaSelfEmployed, events.SubsidySelfEmployed136Requested, events.SubsidySelfEmployed136Request{CPR: s.CPR.String(),
			CVR: s.CVR.String(), Decision: events.SubsidyDecision{Reference: "S136-" + ref, Date: from.AddDate(0, -2, 0).Format(time.DateOnly)},
			Fraction: "1/2", Basis: 28000, Period: period, Contact: events.Contact{Name: "Selv"}}},
	} {
		t.Run(c.law, func(t *testing.T) {
			tok := token(t, c.persona)
			code, ans := postEventAs(t, tok, blanketEvent(t, c.typ, c.data))
			if code != http.StatusAccepted {
				t.Fatalf("post: %d %v", code, ans)
			}
			receipt, _ := ans["receipt"].(string)
			var body string
			eventually(t, "the rejection in the sender's work list", func() bool {
				rep := do(t, tok, "GET", "/api/v1/feedback/absences?status=rejected&q="+receipt, "")
				body = rep.body
				return rep.status == http.StatusOK && strings.Contains(rep.body, `"no_cap"`)
			})
			for _, want := range []string{`"period.from"`, c.law + " for " + year} {
				if !strings.Contains(body, want) {
					t.Errorf("rejection lacks %s: %s", want, body)
				}
			}
		})
	}
}

// The rules refuse at intake what can never be paid (400 per field), and
// an employer may not send the self-employed's § 136 request.
func TestSubsidyRefusalsAtIntake(t *testing.T) {
	e, _ := synth.PersonaByKey(synth.PersonaEmployee)
	f := events.SubsidyFlexjobRequest{CPR: e.CPR.String(), CVR: e.CVR.String(), PNumber: e.PNumber.String(),
		Agreement: events.SubsidyDecision{Reference: "FJ-new", Date: "2014-05-01"}, Fraction: "2/3",
		Period: events.DatePeriod{From: "2026-03-01", To: "2026-03-31"}, HoursWorked: 100, WagesPaid: 20000, Contact: events.Contact{Name: "x"}}
	code, ans := postEventAs(t, token(t, devissuer.PersonaEmployer), blanketEvent(t, events.SubsidyFlexjobRequested, f))
	if code != http.StatusBadRequest {
		t.Fatalf("a flexjob agreed after 2012 is not under LAB § 133: %d %v", code, ans)
	}
	s, _ := synth.PersonaByKey(synth.PersonaSelfEmployed)
	r := events.SubsidySelfEmployed136Request{CPR: s.CPR.String(), CVR: s.CVR.String(), Decision: events.SubsidyDecision{Reference: "S", Date: "2026-01-01"},
		Fraction: "1/2", Basis: 1000, Period: events.DatePeriod{From: "2026-03-01", To: "2026-03-31"}, Contact: events.Contact{Name: "x"}}
	if code, ans := postEventAs(t, token(t, devissuer.PersonaEmployer), blanketEvent(t, events.SubsidySelfEmployed136Requested, r)); code != http.StatusForbidden {
		t.Errorf("an employer posting § 136 support: %d %v", code, ans)
	}
}

// The subsidy preview refuses a flexjob amount whose yearly cap is unknown
// with a 422 naming the year, and tells when a wage subsidy is paid.
func TestSubsidyPreviewThroughThePublicOrigin(t *testing.T) {
	tok := token(t, devissuer.PersonaEmployer)
	r := do(t, tok, "POST", "/api/v1/subsidy/preview", `{"scheme":"flexjob","fraction":"2/3","amount":24000,"from":"2024-03-01"}`)
	if r.status != http.StatusUnprocessableEntity || r.json()["year"] != 2024.0 || r.json()["code"] != "no-cap" {
		t.Errorf("flexjob without a cap: %d %s", r.status, r.body)
	}
	r = do(t, tok, "POST", "/api/v1/subsidy/preview", `{"scheme":"wage","receivedOn":"2024-03-15"}`)
	if r.status != http.StatusOK || r.json()["paymentMonth"] != "2024-03" {
		t.Errorf("wage subsidy received on the 15th: %d %s", r.status, r.body)
	}
}
