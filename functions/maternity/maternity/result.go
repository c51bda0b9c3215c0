package maternity

import (
	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/barsel"
)

// The conversions from the rules' types (package barsel) to the
// contract's (events.ParentalEmployerResult, events.ParentalLeaveResult):
// the sender and Udbetaling Danmark read the result in the contract's
// shape, which is the rules' JSON without the reasons (they travel once,
// next to the result). The preview answers with the rules' types as they
// are. Nil slices stay nil so that a list the rules leave out stays null.

// employerResult is what an employer's request tells the sender (feedback)
// and Udbetaling Danmark (delivery): the refusion of the periods of this
// request, the leave periods and deadlines.
func employerResult(l barsel.Leave, r barsel.Result) events.ParentalEmployerResult {
	return events.ParentalEmployerResult{CaseID: l.ID, Status: l.Status, Version: l.Version, ChildDate: l.ChildDate, Refusion: refusion(r)}
}

// leaveResult is what the self-employed's request and the a-kasse's
// information tell: the periods reported and the leave periods they form.
func leaveResult(l barsel.Leave, ps []barsel.Period, lps []barsel.LeavePeriod) events.ParentalLeaveResult {
	return events.ParentalLeaveResult{CaseID: l.ID, Status: l.Status, Version: l.Version, ChildDate: l.ChildDate,
		Periods: convert(ps, period), LeavePeriods: convert(lps, leavePeriod)}
}

// refusion is the refusion of a request without its reasons.
func refusion(r barsel.Result) events.ParentalRefusion {
	out := events.ParentalRefusion{Periods: convert(r.Periods, periodRefusion), LeavePeriods: convert(r.LeavePeriods, leavePeriod),
		Total: events.Kroner(r.Total), Complete: r.Complete, MissingRateYears: r.MissingRateYears, Provisional: r.Provisional}
	if r.NextDeadline != nil {
		out.NextDeadline = r.NextDeadline.String()
	}
	return out
}

func period(p barsel.Period) events.ParentalPeriod {
	return events.ParentalPeriod{From: p.From.String(), To: p.To.String(), Kind: p.Kind, HoursAbsent: p.HoursAbsent, WagesPaid: events.Kroner(p.WagesPaid)}
}

// periodRefusion is one period's refusion; its deadline is null while the
// leave period is open (the rules' zero date).
func periodRefusion(p barsel.PeriodResult) events.ParentalPeriodRefusion {
	return events.ParentalPeriodRefusion{ParentalPeriod: period(p.Period),
		LeavePeriodFrom: p.LeavePeriodFrom.String(), LeavePeriodTo: p.LeavePeriodTo.String(), Deadline: nullDate(p.Deadline),
		Lapsed: p.Lapsed, MaxHourlyRate: kroner(p.MaxHourlyRate), HourlyRate: kroner(p.HourlyRate),
		Dagpenge: kroner(p.Dagpenge), Refusion: kroner(p.Refusion), CappedBy: p.CappedBy, Provisional: p.Provisional}
}

func leavePeriod(lp barsel.LeavePeriod) events.ParentalLeavePeriod {
	return events.ParentalLeavePeriod{From: lp.From.String(), To: lp.To.String(), Open: lp.Open,
		Expires: lp.Expires.String(), Deadline: lp.Deadline.String()}
}

// kroner is an amount the rules may not have computed (nil stays absent).
func kroner(m *kernel.Money) *events.Kroner {
	if m == nil {
		return nil
	}
	k := events.Kroner(*m)
	return &k
}

// nullDate is a date that is null when the rules leave it zero.
func nullDate(d kernel.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// convert maps in with f, keeping nil nil.
func convert[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
