package refusion

import (
	"fmt"
	"slices"

	"nemrefusion.dk/functions/kernel"
)

// ExpectedReportKey is the key of the first report's refusion period among
// an absence's expected periods; a next-period request's key is
// ExpectedPeriodKey of the day its asked period starts.
const ExpectedReportKey = "report"

// ExpectedPeriodKey is the key of the expected refusion of the next-period
// request whose asked period starts on from (two requests of one absence
// never overlap, so their first days differ).
func ExpectedPeriodKey(from kernel.Date) string { return "period:" + from.String() }

// Expected is the refusion an employer can expect for one period of an
// absence (seeds/000 § 1 stk. 3: the sender reconciles the refusion it
// receives). It keeps the rates and hours the amount was computed from, so
// that a later change of the absence's days (a correction or a recovery)
// can recompute the amount of a shortened period without guessing.
type Expected struct {
	// Key says which request the period belongs to: ExpectedReportKey or
	// ExpectedPeriodKey; a new expectation for a key replaces the old one.
	Key string `json:"key"`
	Period
	Amount       kernel.Money    `json:"amount"`
	HourlyRate   kernel.Money    `json:"hourlyRate"`
	WeeklyHours  float64         `json:"weeklyHours"`
	Schedule     []float64       `json:"schedule,omitempty"`
	PartialHours *float64        `json:"partialHours,omitempty"`
	Reasons      []kernel.Reason `json:"reasons"`
}

// ReportPeriod is the refusion period the first report asks for: from the
// first day of refusion (the day after the employer period, moved by the
// late-report and look-back rules) to the last absence day, but never past
// the day the report was received, because refusion is asked for days that
// have passed; the days after it are asked for by next-period requests
// (sygedagpengeloven §§ 54–59, § 59, stk. 2). It is nil when no refusion is
// due (refusionFrom nil) or when refusion only starts after the report
// date (a report made inside the employer period).
func ReportPeriod(refusionFrom, last *kernel.Date, reportedOn kernel.Date) (*Period, kernel.Reason) {
	r := kernel.Reason{
		Rule: "sdl-54-59-report-period", Law: "sygedagpengeloven §§ 54–59", Source: srcSDL59,
		Inputs: map[string]any{"refusionFrom": refusionFrom, "lastAbsenceDay": last, "reportedOn": reportedOn},
	}
	if refusionFrom == nil {
		r.TextDa = "Der er ikke ret til refusion for fraværet, så anmeldelsen giver ingen forventet refusion."
		r.TextEn = "The absence gives no right to reimbursement, so the report gives no expected reimbursement."
		return nil, r
	}
	to := reportedOn
	if last != nil && last.Before(to) {
		to = *last
	}
	if to.Before(*refusionFrom) {
		r.TextDa = fmt.Sprintf("Refusionen begynder %s, efter at anmeldelsen er modtaget (%s). Refusion for dagene derefter søges for næste periode.", refusionFrom.Danish(), reportedOn.Danish())
		r.TextEn = fmt.Sprintf("Reimbursement starts on %s, after the report was received (%s). Reimbursement for the days after is asked for as the next period.", refusionFrom.English(), reportedOn.English())
		return nil, r
	}
	p := Period{From: *refusionFrom, To: to}
	r.Result = p
	if last != nil && !last.After(reportedOn) {
		r.TextDa = fmt.Sprintf("Anmeldelsen giver refusion fra %s til sidste fraværsdag %s.", p.From.Danish(), p.To.Danish())
		r.TextEn = fmt.Sprintf("The report gives reimbursement from %s to the last absence day %s.", p.From.English(), p.To.English())
	} else {
		r.TextDa = fmt.Sprintf("Anmeldelsen giver refusion fra %s til den dag, den er modtaget (%s). Refusion for dagene derefter søges for næste periode.", p.From.Danish(), p.To.Danish())
		r.TextEn = fmt.Sprintf("The report gives reimbursement from %s to the day it was received (%s). Reimbursement for the days after is asked for as the next period.", p.From.English(), p.To.English())
	}
	return &p, r
}

// Expect computes the expected refusion of period p: the hourly rate times
// the hours the employee should have worked in it, or the hours absent when
// the absence is partial (sygedagpengeloven §§ 47 and 53); a partial absence
// under 4 hours a week counts as recovered and expects nothing (§ 53).
func Expect(key string, p Period, hourly kernel.Money, weeklyHours float64, schedule []float64, partialHours *float64) Expected {
	e := Expected{Key: key, Period: p, HourlyRate: hourly, WeeklyHours: weeklyHours, Schedule: slices.Clone(schedule), PartialHours: partialHours}
	if partialHours != nil && *partialHours < MinPartialAbsenceHours {
		e.Reasons = []kernel.Reason{{
			Rule: "sdl-53-partial-under-4-hours", Law: "sygedagpengeloven § 53", Source: srcPartial,
			TextDa: fmt.Sprintf("Fraværet er %.2f timer om ugen, under 4 timer, så der forventes ingen refusion for %s–%s.", *partialHours, p.From.Danish(), p.To.Danish()),
			TextEn: fmt.Sprintf("The absence is %.2f hours a week, under 4 hours, so no reimbursement is expected for %s–%s.", *partialHours, p.From.English(), p.To.English()),
			Inputs: map[string]any{"period": p, "hoursAbsent": *partialHours}, Result: kernel.Money(0),
		}}
		return e
	}
	amount, r := PeriodAmount(p, hourly, weeklyHours, schedule, partialHours)
	e.Amount, e.Reasons = amount, []kernel.Reason{r}
	return e
}

// Replace puts e in place of the expectation with the same key (or adds
// it), ordered by the period's first day; an expectation replaces the
// earlier one of its request, it never adds to it.
func Replace(list []Expected, e Expected) []Expected {
	out := Without(list, e.Key)
	out = append(out, e)
	slices.SortStableFunc(out, func(a, b Expected) int {
		switch {
		case a.From.Before(b.From):
			return -1
		case b.From.Before(a.From):
			return 1
		}
		return 0
	})
	return out
}

// Without returns list without the expectation of key.
func Without(list []Expected, key string) []Expected {
	out := make([]Expected, 0, len(list))
	for _, e := range list {
		if e.Key != key {
			out = append(out, e)
		}
	}
	return out
}

// Clip fits the expected periods to the refusion the absence now gives:
// none at all when refusionFrom is nil; otherwise each period cut to start
// no earlier than refusionFrom and end no later than the last absence day,
// its amount recomputed from the rates and hours it was expected with, and
// a period left empty dropped (refusion stops after the last absence day,
// sygedagpengeloven § 7 and §§ 54–59).
func Clip(list []Expected, refusionFrom, last *kernel.Date) []Expected {
	if refusionFrom == nil {
		return nil
	}
	var out []Expected
	for _, e := range list {
		p := e.Period
		if p.From.Before(*refusionFrom) {
			p.From = *refusionFrom
		}
		if last != nil && p.To.After(*last) {
			p.To = *last
		}
		switch {
		case p.To.Before(p.From):
			continue
		case p == e.Period:
			out = append(out, e)
		default:
			out = append(out, Expect(e.Key, p, e.HourlyRate, e.WeeklyHours, e.Schedule, e.PartialHours))
		}
	}
	return out
}

// Total is the sum of the expected amounts.
func Total(list []Expected) kernel.Money {
	var t kernel.Money
	for _, e := range list {
		t += e.Amount
	}
	return t
}
