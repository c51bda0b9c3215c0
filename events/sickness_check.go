package events

import (
	"errors"
	"fmt"
	"math"
	"time"

	"nemrefusion.dk/events/ids"
)

// Limits of the sickness blankets' domain checks.
const (
	maxWeeklyHours = 168
	// maxPastYears bounds how far back a first absence day may lie: beyond
	// the 6-month limit of § 59, stk. 6 nothing can be paid, but a report
	// (for the record) of an older absence is still accepted up to this.
	maxPastYears = 3
)

// check collects the field errors of one blanket.
type check struct{ fe FieldErrors }

func (c *check) add(field, code, da, en string) { c.fe.Add(field, code, da, en) }

func (c *check) id(field string, err error) {
	var e *ids.Error
	if errors.As(err, &e) {
		c.add(field, e.Code, e.Da, e.En)
	} else if err != nil {
		c.add(field, "invalid", "Feltet er ikke gyldigt.", "The field is not valid.")
	}
}

func (c *check) cpr(field, s string) {
	if _, err := ids.ParseCPR(s); err != nil {
		c.id(field, err)
	}
}

func (c *check) cvr(field, s string) {
	if _, err := ids.ParseCVR(s); err != nil {
		c.id(field, err)
	}
}

func (c *check) pnumber(field, s string) {
	if s == "" {
		return
	}
	if _, err := ids.ParsePNumber(s); err != nil {
		c.id(field, err)
	}
}

// date parses an optional date; ok is false when absent or invalid.
func (c *check) date(field, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		c.add(field, "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
		return time.Time{}, false
	}
	return t, true
}

func (c *check) notBefore(field string, t time.Time, ok bool, ref time.Time, refOK bool, code, da, en string) {
	if ok && refOK && t.Before(ref) {
		c.add(field, code, da, en)
	}
}

func (c *check) hours(field string, h float64, max float64) {
	if math.IsNaN(h) || math.IsInf(h, 0) || h <= 0 || h > max {
		c.add(field, "hours", fmt.Sprintf("Timetallet skal være over 0 og højst %.0f.", max), fmt.Sprintf("The hours must be above 0 and at most %.0f.", max))
	}
}

func (c *check) firstDay(field string, s string) (time.Time, bool) {
	f, ok := c.date(field, s)
	if ok && f.Before(time.Now().AddDate(-maxPastYears, 0, 0)) {
		c.add(field, "too_old", fmt.Sprintf("Første fraværsdag kan højst ligge %d år tilbage.", maxPastYears), fmt.Sprintf("The first absence day can be at most %d years back.", maxPastYears))
	}
	return f, ok
}

const (
	beforeFirstCode = "before_first_absence_day"
	beforeFirstDa   = "Datoen kan ikke ligge før første fraværsdag."
	beforeFirstEn   = "The date cannot be before the first absence day."
)

func (c *check) partial(field string, p *PartialAbsence, weekly float64) {
	if p == nil {
		return
	}
	if weekly > 0 && p.HoursPerWeek > weekly {
		c.add(field+".hoursPerWeek", "too_large", "Fraværstimerne kan ikke overstige den ugentlige arbejdstid.", "The hours absent cannot exceed the weekly hours.")
	}
}

// Check returns every domain problem of an employer's report.
func (r SicknessEmployerReport) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	f, fok := c.firstDay("firstAbsenceDay", r.FirstAbsenceDay)
	l, lok := c.date("lastAbsenceDay", r.LastAbsenceDay)
	c.notBefore("lastAbsenceDay", l, lok, f, fok, beforeFirstCode, "Sidste fraværsdag kan ikke ligge før første fraværsdag.", "The last absence day cannot be before the first absence day.")
	e, eok := c.date("employedSince", r.EmployedSince)
	if eok && fok && e.After(f) {
		c.add("employedSince", "after_first_absence_day", "Ansættelsesdatoen kan ikke ligge efter første fraværsdag.", "The employment start date cannot be after the first absence day.")
	}
	c.hours("weeklyHours", r.WeeklyHours, maxWeeklyHours)
	if len(r.Schedule) > 0 {
		sum := 0.0
		for _, h := range r.Schedule {
			sum += h
		}
		if math.Abs(sum-r.WeeklyHours) > 0.005 {
			c.add("schedule", "sum", "Timerne i arbejdsplanen skal give den ugentlige arbejdstid.", "The hours of the schedule must add up to the weekly hours.")
		}
	}
	if r.WagesPaid && !(r.HourlyEarnings > 0) {
		c.add("hourlyEarnings", "required", "Timefortjenesten skal udfyldes, når der udbetales løn.", "The hourly earnings are required when wages are paid.")
	}
	if h := r.HoursLast8Weeks; h != nil && (*h < 0 || *h > 8*maxWeeklyHours) {
		c.add("hoursLast8Weeks", "hours", "Timetallet for de 8 uger er ikke muligt.", "The hours for the 8 weeks are not possible.")
	}
	c.partial("partialAbsence", r.PartialAbsence, r.WeeklyHours)
	if r.Section56 != nil {
		c.date("section56.approvedOn", r.Section56.ApprovedOn)
	}
	for i, h := range r.Holidays {
		field := fmt.Sprintf("holidays.%d", i)
		hf, hfok := c.date(field+".from", h.From)
		ht, htok := c.date(field+".to", h.To)
		c.notBefore(field+".to", ht, htok, hf, hfok, "to_before_from", "Perioden slutter før den begynder.", "The period ends before it starts.")
		c.notBefore(field+".from", hf, hfok, f, fok, beforeFirstCode, beforeFirstDa, beforeFirstEn)
		if lok && htok && ht.After(l) {
			c.add(field+".to", "after_last_absence_day", "Ferien ligger efter sidste fraværsdag.", "The holiday is after the last absence day.")
		}
	}
	return c.fe
}

// Check returns every domain problem of a self-employed person's report.
func (r SicknessSelfEmployedReport) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	f, fok := c.firstDay("firstAbsenceDay", r.FirstAbsenceDay)
	l, lok := c.date("lastAbsenceDay", r.LastAbsenceDay)
	c.notBefore("lastAbsenceDay", l, lok, f, fok, beforeFirstCode, "Sidste fraværsdag kan ikke ligge før første fraværsdag.", "The last absence day cannot be before the first absence day.")
	c.hours("weeklyHours", r.WeeklyHours, maxWeeklyHours)
	return c.fe
}

// Check returns every domain problem of an a-kasse's report.
func (r SicknessAKasseReport) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	f, fok := c.firstDay("firstAbsenceDay", r.FirstAbsenceDay)
	l, lok := c.date("lastAbsenceDay", r.LastAbsenceDay)
	c.notBefore("lastAbsenceDay", l, lok, f, fok, beforeFirstCode, "Sidste fraværsdag kan ikke ligge før første fraværsdag.", "The last absence day cannot be before the first absence day.")
	t, tok := c.date("toldOn", r.ToldOn)
	c.notBefore("toldOn", t, tok, f, fok, beforeFirstCode, "A-kassen kan ikke have fået besked før første fraværsdag.", "The a-kasse cannot have been told before the first absence day.")
	c.hours("weeklyHours", r.WeeklyHours, maxWeeklyHours)
	return c.fe
}

// Check returns every domain problem of a request for early follow-up.
func (r SicknessEarlyFollowUpRequest) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	f, fok := c.firstDay("firstAbsenceDay", r.FirstAbsenceDay)
	e, eok := c.date("expectedReturn", r.ExpectedReturn)
	c.notBefore("expectedReturn", e, eok, f, fok, beforeFirstCode, beforeFirstDa, beforeFirstEn)
	return c.fe
}

// Check returns every domain problem of a next-period report.
func (r SicknessPeriodReport) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	f, fok := c.date("from", r.From)
	t, tok := c.date("to", r.To)
	c.notBefore("to", t, tok, f, fok, "to_before_from", "Perioden slutter før den begynder.", "The period ends before it starts.")
	if r.WeeklyHours != nil {
		c.hours("weeklyHours", *r.WeeklyHours, maxWeeklyHours)
	}
	if r.WeeklyHours != nil {
		c.partial("partialAbsence", r.PartialAbsence, *r.WeeklyHours)
	}
	return c.fe
}

// Check returns every domain problem of a recovery report.
func (r SicknessRecoveryReport) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	c.date("lastAbsenceDay", r.LastAbsenceDay)
	return c.fe
}

// Check returns every domain problem of a correction.
func (r SicknessCorrection) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	f, fok := c.date("firstAbsenceDay", r.FirstAbsenceDay)
	l, lok := c.date("lastAbsenceDay", r.LastAbsenceDay)
	c.notBefore("lastAbsenceDay", l, lok, f, fok, beforeFirstCode, "Sidste fraværsdag kan ikke ligge før første fraværsdag.", "The last absence day cannot be before the first absence day.")
	c.date("employedSince", r.EmployedSince)
	if r.WeeklyHours != nil {
		c.hours("weeklyHours", *r.WeeklyHours, maxWeeklyHours)
	}
	return c.fe
}

// Check returns every domain problem of a cancellation.
func (r SicknessCancellation) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	return c.fe
}
