package absence

import (
	"errors"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

// ErrUnknownAbsence is the field error for a follow-up naming an absence
// that does not exist or belongs to another sender: the two are answered
// alike, so a sender never learns about another sender's absences.
var ErrUnknownAbsence = events.FieldErrors{{Field: "absenceId", Code: "absence.unknown",
	Da: "Sygefraværet findes ikke hos denne afsender.", En: "The absence does not exist for this sender."}}

// errClosed is the field error for a follow-up on a cancelled absence.
var errClosed = events.FieldErrors{{Field: "absenceId", Code: "absence.cancelled",
	Da: "Sygefraværet er annulleret.", En: "The absence has been cancelled."}}

// owned checks that a follow-up from cvr may change a.
func owned(a Absence, cvr string) error {
	if a.CVR != cvr {
		return ErrUnknownAbsence
	}
	if a.Status == StatusCancelled {
		return errClosed
	}
	return nil
}

// AttachReport makes a report the report of an absence first known from an
// early follow-up request (same person, sender and first absence day): it
// keeps the absence's id and the request, and cancels the reminder of the
// report deadline (by cancelling the absence's reminders before the new
// ones are scheduled).
func AttachReport(d *Decision, prior Absence) {
	d.Absence.ID = prior.ID
	d.Absence.EarlyFollowUp = prior.EarlyFollowUp
	d.Absence.Version = prior.Version + 1
	d.Effects.CancelReminders = true
}

// NextPeriod decides an employer's request for refusion for one more
// period of an absence (events.SicknessPeriodReport): the period must lie
// inside the absence and after the refusion already asked for (the
// report's refusion period, refusion.ReportPeriod, and earlier next
// periods), so no day is expected twice; a request
// covers at most 3 months before it was received (§ 59, stk. 2); the amount
// uses the maximum rate in force on each day of the period (§ 50, stk. 1) and the hours
// absent when partial (§ 53, under 4 hours a week counts as recovered).
func NextPeriod(a Absence, r events.SicknessPeriodReport, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	if err := owned(a, r.CVR); err != nil {
		return Decision{}, err
	}
	if a.Employer == nil {
		return Decision{}, events.FieldErrors{{Field: "absenceId", Code: "absence.not_employer",
			Da: "Kun en arbejdsgivers sygefravær har refusionsperioder.", En: "Only an employer's absence has reimbursement periods."}}
	}
	var p parser
	asked := refusion.Period{From: p.date("from", r.From), To: p.date("to", r.To)}
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	var fe events.FieldErrors
	if asked.From.Before(a.FirstAbsenceDay) {
		fe.Add("from", "before_first_absence_day", "Perioden begynder før første fraværsdag.", "The period starts before the first absence day.")
	}
	if a.LastAbsenceDay != nil && asked.To.After(*a.LastAbsenceDay) {
		fe.Add("to", "after_last_absence_day", "Perioden slutter efter sidste fraværsdag.", "The period ends after the last absence day.")
	}
	if asked.To.After(f.ReceivedOn) {
		fe.Add("to", "future", "Der kan kun søges refusion for dage, der er gået.", "Refusion can only be asked for days that have passed.")
	}
	asked0 := a.Periods
	if rp, _ := refusion.ReportPeriod(a.RefusionFrom, a.LastAbsenceDay, a.ReportedOn); rp != nil && a.Employer.WagesPaid {
		// The report already asked refusion up to the day it was received.
		asked0 = append([]refusion.Period{*rp}, asked0...)
	}
	for _, q := range asked0 {
		if !asked.From.After(q.To) && !asked.To.Before(q.From) {
			fe.Add("from", "overlaps", fmt.Sprintf("Perioden overlapper en periode, der allerede er søgt (%s–%s).", q.From.Danish(), q.To.Danish()),
				fmt.Sprintf("The period overlaps a period already asked for (%s–%s).", q.From.English(), q.To.English()))
			break
		}
	}
	if err := fe.Err(); err != nil {
		return Decision{}, err
	}
	e := *a.Employer
	if r.HourlyEarnings != nil {
		e.HourlyEarnings = p.money("hourlyEarnings", *r.HourlyEarnings)
	}
	if r.WeeklyHours != nil {
		e.WeeklyHours = *r.WeeklyHours
		e.Schedule = nil
	}
	if r.PartialAbsence != nil {
		h := r.PartialAbsence.HoursPerWeek
		e.PartialHours = &h
	} else {
		e.PartialHours = nil
	}
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	a.Employer = &e
	a.Periods = append(a.Periods, asked)
	a.Version++
	d := Decision{Absence: a, Period: &PeriodResult{Asked: asked}}

	covered := asked
	if !e.WagesPaid || a.RefusionFrom == nil {
		d.Reasons = append(d.Reasons, kernel.Reason{Rule: "sdl-no-refusion-decided", Law: "sygedagpengeloven §§ 54–59",
			TextDa: "Der er ikke ret til refusion for fraværet (se anmeldelsen), så perioden giver ingen refusion.",
			TextEn: "The absence gives no right to reimbursement (see the report), so the period gives no reimbursement.",
			Inputs: map[string]any{"wagesPaid": e.WagesPaid, "refusionFrom": a.RefusionFrom}, Result: nil})
		d.Period.Covered = nil
		return withPeriodEffects(d, f), nil
	}
	if covered.From.Before(*a.RefusionFrom) {
		covered.From = *a.RefusionFrom
	}
	limit := refusion.BackdatingLimit(f.ReceivedOn)
	if covered.From.Before(limit) {
		covered.From = limit
	}
	d.Reasons = append(d.Reasons, kernel.Reason{
		Rule: "sdl-59-2-period", Law: "sygedagpengeloven § 59, stk. 2", Source: "https://elov.dk/sygedagpengeloven/59/",
		TextDa: fmt.Sprintf("Anmodningen er modtaget %s og dækker højst 3 måneder tilbage (fra %s); refusion tidligst fra %s.", f.ReceivedOn.Danish(), limit.Danish(), a.RefusionFrom.Danish()),
		TextEn: fmt.Sprintf("The request was received on %s and covers at most 3 months back (from %s); reimbursement from %s at the earliest.", f.ReceivedOn.English(), limit.English(), a.RefusionFrom.English()),
		Inputs: map[string]any{"asked": asked, "receivedOn": f.ReceivedOn, "refusionFrom": *a.RefusionFrom}, Result: covered,
	})
	if covered.To.Before(covered.From) {
		d.Period.Covered = nil
		return withPeriodEffects(d, f), nil
	}
	d.Period.Covered = &covered
	key := refusion.ExpectedPeriodKey(asked.From)
	if e.PartialHours != nil && *e.PartialHours < refusion.MinPartialAbsenceHours {
		d.Reasons = append(d.Reasons, partialRecoveredReason(*e.PartialHours))
		d.Absence.Expected = refusion.Replace(d.Absence.Expected, refusion.Expect(key, covered, 0, e.WeeklyHours, e.Schedule, e.PartialHours))
		return withPeriodEffects(d, f), nil
	}
	x, err := expectByRate(key, covered, e, f.Rates)
	d.Absence.RatePending = putPending(d.Absence.RatePending, key, pendingOf(key, &asked, covered, x, err))
	var noRate kernel.ErrNoRate
	switch {
	case errors.As(err, &noRate):
		d.Reasons = append(d.Reasons, NoRateReason(noRate))
		return withPeriodEffects(d, f), nil
	case err != nil:
		return Decision{}, err
	}
	d.Period.MaxHourlyRate, d.Period.HourlyRate, d.Period.Amount, d.Period.Provisional = x.maxHourly, x.hourly, x.amount, x.provisonal
	d.Reasons = append(d.Reasons, x.reasons...)
	d.Absence.Expected = withoutKey(d.Absence.Expected, key)
	for _, ex := range x.expected {
		d.Absence.Expected = refusion.Replace(d.Absence.Expected, ex)
	}
	return withPeriodEffects(d, f), nil
}

func withPeriodEffects(d Decision, f Facts) Decision {
	d.Effects.Delivery = "sickness.refusion-period"
	d.Effects.CancelReminders = false
	d.Effects.Expect = true
	if r, ok := nextPeriodReminder(d.Absence); ok {
		d.Effects.Reminders = append(d.Effects.Reminders, r) // same id: moves the earlier reminder
	}
	checkReassessment(&d, f)
	return d
}

// Recover decides a recovery report (raskmelding, events.SicknessRecoveryReport):
// the absence gets its last day; refusion stops then (and none is due if
// it ended inside the employer period, § 30, stk. 1), so the expected
// refusion is cut to the last day; the reminders of the
// absence are cancelled and a recovery notice goes to the data foundation.
func Recover(a Absence, r events.SicknessRecoveryReport, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	if err := owned(a, r.CVR); err != nil {
		return Decision{}, err
	}
	var p parser
	last := p.date("lastAbsenceDay", r.LastAbsenceDay)
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	if last.Before(a.FirstAbsenceDay) {
		return Decision{}, events.FieldErrors{{Field: "lastAbsenceDay", Code: "before_first_absence_day",
			Da: "Sidste fraværsdag kan ikke ligge før første fraværsdag.", En: "The last absence day cannot be before the first absence day."}}
	}
	if d, ok := laterRecovery(a, last); ok {
		return d, nil // the sick person's earlier day stands (citizenrecovery.go)
	}
	a.LastAbsenceDay = &last
	a.Status = StatusRecovered
	a.Version++
	d := Decision{Absence: a}
	reason := kernel.Reason{
		Rule: "recovery", Law: "sygedagpengeloven § 7 (raskmelding)",
		TextDa: fmt.Sprintf("Sidste fraværsdag er %s. Refusion og sygedagpenge ophører efter den dag.", last.Danish()),
		TextEn: fmt.Sprintf("The last absence day is %s. Reimbursement and sygedagpenge stop after that day.", last.English()),
		Inputs: map[string]any{"lastAbsenceDay": last}, Result: StatusRecovered,
	}
	d.Reasons = append(d.Reasons, reason)
	if a.RefusionFrom != nil && last.Before(*a.RefusionFrom) {
		d.Absence.RefusionFrom = nil
		d.Reasons = append(d.Reasons, kernel.Reason{
			Rule: "sdl-30-1-ended", Law: "sygedagpengeloven § 30, stk. 1", Source: "https://danskelove.dk/sygedagpengeloven/30",
			TextDa: fmt.Sprintf("Fraværet sluttede %s, før refusionen kunne begynde (%s). Der ydes ingen refusion.", last.Danish(), a.RefusionFrom.Danish()),
			TextEn: fmt.Sprintf("The absence ended on %s, before reimbursement could start (%s). No reimbursement is due.", last.English(), a.RefusionFrom.English()),
			Inputs: map[string]any{"lastAbsenceDay": last, "refusionFrom": *a.RefusionFrom}, Result: nil,
		})
	}
	// Refusion stops after the last day: the expected periods are cut to it.
	d.Absence.Expected = refusion.Clip(a.Expected, d.Absence.RefusionFrom, &last)
	d.Effects = Effects{Delivery: "sickness.recovery", CancelReminders: true, Expect: a.Employer != nil,
		Notice: &Notice{Kind: "recovery", First: a.FirstAbsenceDay, Last: &last, RegisteredOn: f.ReceivedOn}}
	checkReassessment(&d, f)
	return d, nil
}

// Correct decides a correction (events.SicknessCorrection): the fields given
// replace the earlier ones and the rules run again as of the day of the
// first report (a correction does not make a report late). The report's
// expected refusion is recomputed and replaces the earlier one, and the next
// periods' are cut to the refusion the absence now gives (none when no wages
// are paid). A changed first or last day sends a new notice to the data
// foundation.
func Correct(a Absence, r events.SicknessCorrection, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	if err := owned(a, r.CVR); err != nil {
		return Decision{}, err
	}
	var p parser
	changed := map[string]any{}
	daysChanged := false
	if r.FirstAbsenceDay != "" {
		a.FirstAbsenceDay = p.date("firstAbsenceDay", r.FirstAbsenceDay)
		changed["firstAbsenceDay"], daysChanged = r.FirstAbsenceDay, true
	}
	if r.LastAbsenceDay != "" {
		a.LastAbsenceDay = p.optDate("lastAbsenceDay", r.LastAbsenceDay)
		changed["lastAbsenceDay"], daysChanged = r.LastAbsenceDay, true
		a.Status = StatusRecovered
	}
	if e := a.Employer; e != nil {
		c := *e
		if r.WeeklyHours != nil {
			c.WeeklyHours, c.Schedule, changed["weeklyHours"] = *r.WeeklyHours, nil, *r.WeeklyHours
		}
		if r.HourlyEarnings != nil {
			c.HourlyEarnings, changed["hourlyEarnings"] = p.money("hourlyEarnings", *r.HourlyEarnings), *r.HourlyEarnings
		}
		if r.WagesPaid != nil {
			c.WagesPaid, changed["wagesPaid"] = *r.WagesPaid, *r.WagesPaid
		}
		if r.EmployedSince != "" {
			c.EmployedSince, changed["employedSince"] = p.date("employedSince", r.EmployedSince), r.EmployedSince
		}
		if r.HoursLast8Weeks != nil {
			c.HoursLast8Weeks, changed["hoursLast8Weeks"] = r.HoursLast8Weeks, *r.HoursLast8Weeks
		}
		if r.PartialAbsence != nil {
			h := r.PartialAbsence.HoursPerWeek
			c.PartialHours, changed["partialAbsence"] = &h, h
		}
		if r.PregnancyRelated != nil {
			c.PregnancyRelated, changed["pregnancyRelated"] = *r.PregnancyRelated, *r.PregnancyRelated
		}
		if r.Flexjob != nil {
			c.Flexjob, changed["flexjob"] = *r.Flexjob, *r.Flexjob
		}
		a.Employer = &c
	}
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	if a.LastAbsenceDay != nil && a.LastAbsenceDay.Before(a.FirstAbsenceDay) {
		return Decision{}, events.FieldErrors{{Field: "lastAbsenceDay", Code: "before_first_absence_day",
			Da: "Sidste fraværsdag kan ikke ligge før første fraværsdag.", En: "The last absence day cannot be before the first absence day."}}
	}
	a.Version++
	corr := kernel.Reason{
		Rule: "correction", Law: "sygedagpengeloven § 40 (anmeldelsens oplysninger)",
		TextDa: "Afsenderen har rettet anmeldelsen: " + r.Explanation, TextEn: "The sender corrected the report: " + r.Explanation,
		Inputs: changed, Result: a.Version,
	}
	var d Decision
	if a.Employer != nil {
		var err error
		if d, err = decideEmployer(a, f); err != nil {
			return Decision{}, err
		}
	} else {
		d = Decision{Absence: a}
	}
	d.Reasons = append([]kernel.Reason{corr}, d.Reasons...)
	d.Effects.Delivery = "sickness.correction"
	if daysChanged {
		kind := "sick"
		if a.LastAbsenceDay != nil {
			kind = "recovery"
		}
		d.Effects.Notice = &Notice{Kind: kind, First: a.FirstAbsenceDay, Last: a.LastAbsenceDay, RegisteredOn: f.ReceivedOn}
	}
	return d, nil
}

// Cancel decides a cancellation (events.SicknessCancellation): the absence
// is withdrawn, its reminders cancelled, the recipient told and the sick
// notice withdrawn from the data foundation.
func Cancel(a Absence, r events.SicknessCancellation, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	if err := owned(a, r.CVR); err != nil {
		return Decision{}, err
	}
	a.Status = StatusCancelled
	a.Version++
	d := Decision{Absence: a, Reasons: []kernel.Reason{{
		Rule: "cancellation", Law: "sygedagpengeloven § 40 (anmeldelse trukket tilbage)",
		TextDa: "Afsenderen har annulleret anmeldelsen: " + r.Explanation, TextEn: "The sender cancelled the report: " + r.Explanation,
		Inputs: map[string]any{"explanation": r.Explanation}, Result: StatusCancelled,
	}}}
	// A withdrawn report asks for no refusion: nothing is expected any more.
	d.Absence.Expected = nil
	d.Effects = Effects{Delivery: "sickness.cancellation", CancelReminders: true, Expect: a.Employer != nil,
		Notice: &Notice{Kind: "cancelled", First: a.FirstAbsenceDay, Last: a.LastAbsenceDay, RegisteredOn: f.ReceivedOn}}
	return d, nil
}
