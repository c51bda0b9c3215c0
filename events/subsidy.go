package events

import (
	"fmt"
	"math"
	"time"
)

// Subsidy blankets (seeds/000 § 1 nr. 1–5; shared/DOMAIN.md, Subsidies): an
// employer's or self-employed person's request for payment of a subsidy the
// jobcenter has granted. All go to the municipality, with no feedback to
// the sender (§ 1 stk. 3) and a receipt to the sender; the person gets a
// notification letter only of the job clarification request (§ 1 stk. 8
// exempts the others). The subsidy function consumes them.
const (
	// SubsidyWageRequested asks for wage subsidy (løntilskud, LAB chapter
	// 12) for a period. Data: SubsidyWageRequest.
	SubsidyWageRequested = "dk.nemrefusion.subsidy.wage.requested.v1"
	// SubsidyFlexjobRequested asks for the flexjob subsidy of a flexjob
	// established before 2013 (LAB § 133). Data: SubsidyFlexjobRequest.
	SubsidyFlexjobRequested = "dk.nemrefusion.subsidy.flexjob.requested.v1"
	// SubsidyJobClarificationRequested asks for refusion of
	// resource-process benefit during job clarification (LAS § 69 t).
	// Data: SubsidyJobClarificationRequest.
	SubsidyJobClarificationRequested = "dk.nemrefusion.subsidy.jobclarification.requested.v1"
	// SubsidyAdultApprenticeRequested asks for the adult apprentice
	// subsidy of one month (voksenlærling, LAB § 159). Data:
	// SubsidyAdultApprenticeRequest.
	SubsidyAdultApprenticeRequested = "dk.nemrefusion.subsidy.adultapprentice.requested.v1"
	// SubsidyMentorRequested asks for the mentor subsidy (LAB chapter 26).
	// Data: SubsidyMentorRequest.
	SubsidyMentorRequested = "dk.nemrefusion.subsidy.mentor.requested.v1"
	// SubsidySelfEmployed136Requested is a self-employed person's request
	// for payment of support under LAB § 136. Data: SubsidySelfEmployed136Request.
	SubsidySelfEmployed136Requested = "dk.nemrefusion.subsidy.selfemployed136.requested.v1"
)

// SubsidyDecision is the agreement or decision a subsidy rests on: the
// jobcenter's reference and the day it was made.
type SubsidyDecision struct {
	Reference string `json:"reference"`
	Date      string `json:"date"`
}

// SubsidyWageRequest is the data of SubsidyWageRequested.
type SubsidyWageRequest struct {
	CPR     string `json:"cpr"`
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber"`
	// Agreement is the jobcenter's agreement on the wage subsidy job;
	// AgreementPeriod the period it covers.
	Agreement       SubsidyDecision `json:"agreement"`
	AgreementPeriod DatePeriod      `json:"agreementPeriod"`
	// Period is the period payment is requested for.
	Period DatePeriod `json:"period"`
	// HoursWorked are the hours worked in the period; HoursAbsent the
	// hours of absence without wages (no subsidy for them).
	HoursWorked float64 `json:"hoursWorked"`
	HoursAbsent float64 `json:"hoursAbsent"`
	// HourlyWage and WagesPaid are in kroner.
	HourlyWage float64 `json:"hourlyWage"`
	WagesPaid  float64 `json:"wagesPaid"`
	// HourlySubsidy is the subsidy per hour in kroner the jobcenter's
	// agreement states; without it the municipality computes the amount.
	HourlySubsidy *float64 `json:"hourlySubsidy,omitempty"`
	Contact       Contact  `json:"contact"`
}

// SubsidyFlexjobRequest is the data of SubsidyFlexjobRequested.
type SubsidyFlexjobRequest struct {
	CPR     string `json:"cpr"`
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber"`
	// Agreement is the flexjob agreement (before 1 January 2013).
	Agreement SubsidyDecision `json:"agreement"`
	// Fraction is the subsidy the municipality decided: "1/2" or "2/3".
	Fraction    string     `json:"fraction"`
	Period      DatePeriod `json:"period"`
	HoursWorked float64    `json:"hoursWorked"`
	// WagesPaid is the wages paid for the period in kroner.
	WagesPaid float64 `json:"wagesPaid"`
	Contact   Contact `json:"contact"`
}

// SubsidyJobClarificationRequest is the data of SubsidyJobClarificationRequested.
type SubsidyJobClarificationRequest struct {
	CPR     string `json:"cpr"`
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber"`
	// Decision is the municipality's decision on the job clarification
	// process; ProcessStart its first day.
	Decision     SubsidyDecision `json:"decision"`
	ProcessStart string          `json:"processStart"`
	Period       DatePeriod      `json:"period"`
	// HoursPaid are the hours the employer paid wages for in the period.
	HoursPaid float64 `json:"hoursPaid"`
	WagesPaid float64 `json:"wagesPaid"`
	Contact   Contact `json:"contact"`
}

// SubsidyAdultApprenticeRequest is the data of SubsidyAdultApprenticeRequested.
type SubsidyAdultApprenticeRequest struct {
	CPR     string `json:"cpr"`
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber"`
	// Agreement is the education agreement (uddannelsesaftale); Decision
	// the jobcenter's decision granting the subsidy.
	Agreement SubsidyDecision `json:"agreement"`
	Decision  SubsidyDecision `json:"decision"`
	// Month is the month paid for, "YYYY-MM"; Hours the hours of the
	// apprenticeship in it (the subsidy is per hour).
	Month string  `json:"month"`
	Hours float64 `json:"hours"`
	// Group is the apprentice's target group the decision names:
	// "unemployed" (LAB § 155, stk. 1: 45 kr. an hour, § 159, stk. 2) or
	// "employed" (§ 155, stk. 2: 30 kr. an hour, § 159, stk. 3); without
	// it the municipality computes the amount.
	Group   string  `json:"group,omitempty"`
	Contact Contact `json:"contact"`
}

// SubsidyMentorRequest is the data of SubsidyMentorRequested.
type SubsidyMentorRequest struct {
	CPR     string `json:"cpr"`
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber"`
	// Decision is the jobcenter's grant; Grant the period it covers (at
	// most 6 months); RenewalOf, for a renewed grant, the reference of the
	// grant it renews.
	Decision  SubsidyDecision `json:"decision"`
	Grant     DatePeriod      `json:"grant"`
	RenewalOf string          `json:"renewalOf,omitempty"`
	// Period is the period paid for; MentorHours the mentor's hours in it
	// and Cost their wages for those hours in kroner.
	Period      DatePeriod `json:"period"`
	MentorHours float64    `json:"mentorHours"`
	Cost        float64    `json:"cost"`
	Contact     Contact    `json:"contact"`
}

// SubsidySelfEmployed136Request is the data of SubsidySelfEmployed136Requested.
type SubsidySelfEmployed136Request struct {
	// CPR is the self-employed person; CVR their own company.
	CPR      string          `json:"cpr"`
	CVR      string          `json:"cvr"`
	PNumber  string          `json:"pNumber,omitempty"`
	Decision SubsidyDecision `json:"decision"`
	// Fraction is the support decided, "1/2" or "2/3", of Basis: the
	// amount in kroner the decision computes the support from for Period.
	Fraction string     `json:"fraction"`
	Basis    float64    `json:"basis"`
	Period   DatePeriod `json:"period"`
	Contact  Contact    `json:"contact"`
}

// maxPeriodHours bounds the hours of one subsidy period (a month of 31
// days around the clock).
const maxPeriodHours = 31 * 24

func (c *check) decision(field string, d SubsidyDecision) (time.Time, bool) {
	if d.Reference == "" {
		c.add(field+".reference", "required", "Referencen til aftalen eller afgørelsen skal udfyldes.", "The reference of the agreement or decision is required.")
	}
	t, ok := c.date(field+".date", d.Date)
	if ok && t.After(time.Now().AddDate(0, 0, 1)) {
		c.add(field+".date", "future", "Afgørelsen kan ikke have en fremtidig dato.", "The decision cannot be dated in the future.")
	}
	return t, ok
}

func (c *check) period(field string, p DatePeriod) (from, to time.Time, ok bool) {
	f, fok := c.date(field+".from", p.From)
	t, tok := c.date(field+".to", p.To)
	c.notBefore(field+".to", t, tok, f, fok, "to_before_from", "Perioden slutter før den begynder.", "The period ends before it starts.")
	if fok && f.Before(time.Now().AddDate(-maxPastYears, 0, 0)) {
		c.add(field+".from", "too_old", fmt.Sprintf("Perioden kan højst ligge %d år tilbage.", maxPastYears), fmt.Sprintf("The period can be at most %d years back.", maxPastYears))
	}
	return f, t, fok && tok && !t.Before(f)
}

func (c *check) amount(field string, v float64, positive bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || positive && v == 0 {
		c.add(field, "amount", "Beløbet skal være over 0 kr.", "The amount must be above 0 kr.")
	}
}

func (c *check) someHours(field string, h float64, positive bool) {
	if math.IsNaN(h) || math.IsInf(h, 0) || h < 0 || positive && h == 0 || h > maxPeriodHours {
		c.add(field, "hours", fmt.Sprintf("Timetallet skal være over 0 og højst %d.", maxPeriodHours), fmt.Sprintf("The hours must be above 0 and at most %d.", maxPeriodHours))
	}
}

func (c *check) fraction(field, f string) {
	if f != "1/2" && f != "2/3" {
		c.add(field, "enum", "Tilskuddet skal være 1/2 eller 2/3.", "The subsidy must be 1/2 or 2/3.")
	}
}

// FlexjobSchemeEnd is the first day of the flexjob reform: flexjobs agreed
// from then on are subsidised under the new rules, not LAB § 133.
const FlexjobSchemeEnd = "2013-01-01"

// Check returns every domain problem of a wage subsidy request.
func (r SubsidyWageRequest) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	c.decision("agreement", r.Agreement)
	af, at, aok := c.period("agreementPeriod", r.AgreementPeriod)
	f, t, ok := c.period("period", r.Period)
	if aok && ok && (f.Before(af) || t.After(at)) {
		c.add("period", "outside_agreement", "Perioden ligger uden for aftalens periode.", "The period lies outside the agreement's period.")
	}
	c.someHours("hoursWorked", r.HoursWorked, true)
	c.someHours("hoursAbsent", r.HoursAbsent, false)
	c.amount("hourlyWage", r.HourlyWage, true)
	c.amount("wagesPaid", r.WagesPaid, true)
	if r.HourlySubsidy != nil {
		c.amount("hourlySubsidy", *r.HourlySubsidy, true)
	}
	return c.fe
}

// Check returns every domain problem of a flexjob subsidy request.
func (r SubsidyFlexjobRequest) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	if d, ok := c.decision("agreement", r.Agreement); ok && d.Format(time.DateOnly) >= FlexjobSchemeEnd {
		c.add("agreement.date", "after_2012", "LAB § 133 gælder fleksjob aftalt før 1. januar 2013.", "LAB § 133 covers flexjobs agreed before 1 January 2013.")
	}
	c.fraction("fraction", r.Fraction)
	c.period("period", r.Period)
	c.someHours("hoursWorked", r.HoursWorked, true)
	c.amount("wagesPaid", r.WagesPaid, true)
	return c.fe
}

// Check returns every domain problem of a job clarification refusion request.
func (r SubsidyJobClarificationRequest) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	c.decision("decision", r.Decision)
	s, sok := c.date("processStart", r.ProcessStart)
	_, t, ok := c.period("period", r.Period)
	if sok && ok && t.Before(s) {
		c.add("period.to", "before_process_start", "Perioden slutter før jobafklaringsforløbet begynder.", "The period ends before the job clarification process starts.")
	}
	c.someHours("hoursPaid", r.HoursPaid, true)
	c.amount("wagesPaid", r.WagesPaid, true)
	return c.fe
}

// Check returns every domain problem of an adult apprentice subsidy request.
func (r SubsidyAdultApprenticeRequest) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	c.decision("agreement", r.Agreement)
	c.decision("decision", r.Decision)
	if _, err := time.Parse("2006-01", r.Month); err != nil {
		c.add("month", "month", "Måneden findes ikke (ÅÅÅÅ-MM).", "The month does not exist (YYYY-MM).")
	}
	c.someHours("hours", r.Hours, true)
	if r.Group != "" && r.Group != "unemployed" && r.Group != "employed" {
		c.add("group", "enum", "Målgruppen skal være unemployed (fra ledighed) eller employed (fra beskæftigelse).",
			"The target group must be unemployed (from unemployment) or employed (from employment).")
	}
	return c.fe
}

// Check returns every domain problem of a mentor subsidy request.
func (r SubsidyMentorRequest) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	c.decision("decision", r.Decision)
	c.period("grant", r.Grant)
	c.period("period", r.Period)
	c.someHours("mentorHours", r.MentorHours, true)
	c.amount("cost", r.Cost, true)
	return c.fe
}

// Check returns every domain problem of a § 136 support request.
func (r SubsidySelfEmployed136Request) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	c.decision("decision", r.Decision)
	c.fraction("fraction", r.Fraction)
	c.amount("basis", r.Basis, true)
	c.period("period", r.Period)
	return c.fe
}
