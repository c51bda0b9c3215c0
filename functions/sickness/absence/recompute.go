package absence

import (
	"slices"

	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

// Recomputed says what Recompute changed: whether the report's amount was
// computed again (the decision then carries the report's refusion) and the
// rate years that landed.
type Recomputed struct {
	Report bool
	Years  []int
}

// Recompute computes again, with rates, the amounts of a that waited for a
// maximum rate or were computed with a provisional one (a.RatePending): the
// report's refusion (the employer's report decided again from the absence as
// it now stands, received on its report day) and each next period's
// covered days (sygedagpengeloven §§ 47, 50 and 53, at the rate in force on
// each day). It returns the decision to feed back, as a normal decision is
// (the expected refusion, the result), with a reason saying it was
// recomputed because the rate became known, and changed false when no
// amount changed (a rate still missing, or a provisional rate published at
// the same amount): then nothing is to be sent, which makes a repeated
// recompute change nothing. A cancelled absence is never recomputed.
func Recompute(a Absence, rates kernel.Table) (Decision, Recomputed, bool, error) {
	if a.Employer == nil || a.Status == StatusCancelled || len(a.RatePending) == 0 {
		return Decision{}, Recomputed{}, false, nil
	}
	before := slices.Clone(a.Expected)
	var what Recomputed
	d := Decision{Absence: a}
	for _, p := range a.RatePending {
		if _, err := rates.Rate(p.Year); err != nil {
			continue // still no rate for the year
		}
		if !slices.Contains(what.Years, p.Year) {
			what.Years = append(what.Years, p.Year)
		}
		if p.Key == refusion.ExpectedReportKey {
			rd, err := decideEmployer(d.Absence, Facts{ReceivedOn: d.Absence.ReportedOn, Rates: rates})
			if err != nil {
				return Decision{}, Recomputed{}, false, err
			}
			if rate, _ := rates.Rate(p.Year); rd.Refusion != nil && (p.Waiting && rd.Refusion.WeeklyAmount != 0 || p.Provisional && rate.Weekly != p.Weekly) {
				what.Report = true // the report's weekly amount was open, or its provisional rate changed
			}
			d.Absence, d.Refusion = rd.Absence, rd.Refusion
			d.Reasons = append(d.Reasons, rd.Reasons...)
			continue
		}
		x, err := expectByRate(p.Key, p.Period, *d.Absence.Employer, rates)
		d.Absence.RatePending = putPending(d.Absence.RatePending, p.Key, pendingOf(p.Key, p.Asked, p.Period, x, err))
		if err != nil {
			continue
		}
		list := withoutKey(d.Absence.Expected, p.Key)
		for _, ex := range x.expected {
			list = refusion.Replace(list, ex)
		}
		d.Absence.Expected = refusion.Clip(list, d.Absence.RefusionFrom, d.Absence.LastAbsenceDay)
		asked := p.Period
		if p.Asked != nil {
			asked = *p.Asked
		}
		covered := p.Period
		d.Period = &PeriodResult{Asked: asked, Covered: &covered, MaxHourlyRate: x.maxHourly, HourlyRate: x.hourly, Amount: x.amount, Provisional: x.provisonal}
		d.Reasons = append(d.Reasons, x.reasons...)
	}
	if len(what.Years) == 0 || (!what.Report && sameExpected(before, d.Absence.Expected)) {
		return Decision{}, Recomputed{}, false, nil
	}
	d.Absence.Version++
	d.Reasons = append(d.Reasons, recomputedReason(rates, what.Years))
	d.Effects = Effects{Delivery: "sickness.refusion-period", Expect: true}
	if what.Report || d.Period == nil {
		d.Effects.Delivery = "sickness.report"
	}
	return d, what, true, nil
}

// sameExpected reports whether two expectations give the same periods and
// amounts.
func sameExpected(a, b []refusion.Expected) bool {
	return slices.EqualFunc(a, b, func(x, y refusion.Expected) bool {
		return x.Key == y.Key && x.Period == y.Period && x.Amount == y.Amount && x.HourlyRate == y.HourlyRate
	})
}
