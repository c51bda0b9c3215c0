package load

import (
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
)

// subsidy makes the n-th subsidy request of kind, for last month (so the
// adult apprentice month has ended, LAB § 159, and the job clarification
// period lies within the 3 months back, LAS § 69 t), under an agreement or
// decision of its own (the reference carries the submission's id, so no
// period is ever requested twice under one agreement): an employer's for a
// current employee, or a self-employed person's § 136 support for their
// own company. Every one goes to the person's municipality (the
// workplace's when the person lives abroad: the P-number is given).
func (g *generator) subsidy(kind Kind, n int, today time.Time, id string) (string, Tenant, any) {
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	from := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	to := from.AddDate(0, 1, -1)
	period := events.DatePeriod{From: d(from), To: d(to)}
	ref := strings.ToUpper(id[:8])
	decided := func(prefix string, monthsBefore int) events.SubsidyDecision {
		return events.SubsidyDecision{Reference: prefix + "-LOAD-" + ref, Date: d(from.AddDate(0, -monthsBefore, -n%20))}
	}
	fraction := "1/2"
	if n%3 == 0 {
		fraction = "2/3"
	}
	contact := events.Contact{Name: "Lønkontoret", Email: "loen@example.invalid"}
	if kind == KindSubsidySelfEmployed136 {
		o := g.pop.owners[n%len(g.pop.owners)]
		return events.SubsidySelfEmployed136Requested, Tenant{Persona: devissuer.PersonaSelfEmployed, CVR: o.cvr, CPR: o.cpr},
			events.SubsidySelfEmployed136Request{CPR: o.cpr, CVR: o.cvr, PNumber: o.pnumber, Decision: decided("S136", 2), Fraction: fraction,
				Basis: float64(20000 + (n%50)*500), Period: period, Contact: events.Contact{Name: "Indehaver"}}
	}
	e := g.pop.employees[n%len(g.pop.employees)]
	tenant := Tenant{Persona: devissuer.PersonaEmployer, CVR: e.cvr}
	hours := 4 * e.hours // about a month's working time
	wage := float64(140 + n%60)
	wages := float64(int(hours*wage + 0.5)) // whole kroner
	switch kind {
	case KindSubsidyWage:
		return events.SubsidyWageRequested, tenant, events.SubsidyWageRequest{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber, Agreement: decided("JC", 1),
			AgreementPeriod: events.DatePeriod{From: d(from.AddDate(0, -1, 0)), To: d(to.AddDate(0, 5, 0))}, Period: period,
			HoursWorked: hours, HoursAbsent: 0, HourlyWage: wage, WagesPaid: wages, Contact: contact}
	case KindSubsidyFlexjob:
		agreed := time.Date(2008+n%5, time.Month(1+n%12), 1, 0, 0, 0, 0, time.UTC) // LAB § 133: agreed before 2013
		return events.SubsidyFlexjobRequested, tenant, events.SubsidyFlexjobRequest{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber,
			Agreement: events.SubsidyDecision{Reference: "FJ-LOAD-" + ref, Date: d(agreed)}, Fraction: fraction, Period: period,
			HoursWorked: hours, WagesPaid: wages, Contact: contact}
	case KindSubsidyJobClarification:
		start := from.AddDate(0, -(n % 3), 0)
		return events.SubsidyJobClarificationRequested, tenant, events.SubsidyJobClarificationRequest{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber,
			Decision: events.SubsidyDecision{Reference: "JA-LOAD-" + ref, Date: d(start.AddDate(0, 0, -10))}, ProcessStart: d(start), Period: period,
			HoursPaid: hours, WagesPaid: wages, Contact: contact}
	case KindSubsidyAdultApprentice:
		return events.SubsidyAdultApprenticeRequested, tenant, events.SubsidyAdultApprenticeRequest{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber,
			Agreement: decided("UA", 6), Decision: decided("VL", 5), Month: from.Format("2006-01"), Hours: hours, Contact: contact}
	default: // KindSubsidyMentor: a grant of 6 months that last month lies in
		grant := from.AddDate(0, -(n % 4), 0)
		hours := float64(4 + n%12)
		return events.SubsidyMentorRequested, tenant, events.SubsidyMentorRequest{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber,
			Decision: events.SubsidyDecision{Reference: "ME-LOAD-" + ref, Date: d(grant.AddDate(0, 0, -7))},
			Grant:    events.DatePeriod{From: d(grant), To: d(grant.AddDate(0, 6, -1))}, Period: period,
			MentorHours: hours, Cost: hours * 300, Contact: contact}
	}
}
