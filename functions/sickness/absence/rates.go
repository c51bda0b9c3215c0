package absence

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

// RatePending is an amount of the absence that depends on a maximum rate
// not yet final: decided without an amount because the rate year had no
// rate (Waiting), or computed with a provisional rate (Provisional). When a
// rate lands, Recompute computes it again from what is kept here.
type RatePending struct {
	// Key is the expected period's key (refusion.ExpectedReportKey or
	// refusion.ExpectedPeriodKey of the period asked).
	Key string `json:"key"`
	// Asked is the period the employer asked for (a next period), Period
	// the days whose refusion depends on the rate (the report's refusion
	// period, or the covered part of the next period).
	Asked  *refusion.Period `json:"asked,omitempty"`
	Period refusion.Period  `json:"period"`
	// Year is the rate year missing (Waiting) or provisional.
	Year        int  `json:"year"`
	Waiting     bool `json:"waiting"`
	Provisional bool `json:"provisional"`
	// Weekly is the provisional weekly rate the amount was computed with
	// (Provisional), so that its publication at another amount is seen.
	Weekly kernel.Money `json:"weekly,omitempty"`
}

// WaitsForRate reports whether some amount of a waits for a rate or used a
// provisional one: the absences Recompute may change.
func (a Absence) WaitsForRate() bool { return len(a.RatePending) > 0 }

// segmentKey is the key of the part of an expected period from a day where
// the maximum rate changes: the first part keeps the request's key.
func segmentKey(key string, i int, from kernel.Date) string {
	if i == 0 {
		return key
	}
	return key + "@" + from.String()
}

// withoutKey drops the expected periods of key, also its parts after a
// rate change (segmentKey).
func withoutKey(list []refusion.Expected, key string) []refusion.Expected {
	return slices.DeleteFunc(slices.Clone(list), func(e refusion.Expected) bool {
		return e.Key == key || strings.HasPrefix(e.Key, key+"@")
	})
}

// rated is the refusion of one period at the maximum rates in force on its
// days: the expected periods (one per run of days with one rate, so a period
// spanning the first Monday of January uses the old rate before it and the
// new one from it; sygedagpengeloven § 50, stk. 1), the reasons, the first
// part's maximum and hourly rates, the total, and whether a provisional rate
// was used (its year in provYear).
type rated struct {
	expected   []refusion.Expected
	reasons    []kernel.Reason
	maxHourly  kernel.Money
	hourly     kernel.Money
	amount     kernel.Money
	provisonal bool
	provYear   int
	provWeekly kernel.Money
}

// expectByRate computes the refusion of period p of an employer's absence
// (hourly earnings after AM-bidrag capped at the maximum hourly rate,
// §§ 47 and 50; the hours of the period, § 53 when partial). It returns
// kernel.ErrNoRate (wrapped) when a day's rate year has no rate.
func expectByRate(key string, p refusion.Period, e EmployerFacts, rates kernel.Table) (rated, error) {
	segs, err := rates.Segments(p.From, p.To)
	if err != nil {
		return rated{}, err
	}
	var out rated
	for i, s := range segs {
		rate, rr, err := refusion.MaxHourlyRate(rates, s.From)
		if err != nil {
			return rated{}, err
		}
		hourly, hr := refusion.HourlyRate(e.HourlyEarnings, rate.Hourly)
		x := refusion.Expect(segmentKey(key, i, s.From), refusion.Period{From: s.From, To: s.To}, hourly, e.WeeklyHours, e.Schedule, e.PartialHours)
		x.Reasons = append([]kernel.Reason{rr, hr}, x.Reasons...)
		out.expected = append(out.expected, x)
		out.reasons = append(out.reasons, x.Reasons...)
		out.amount += x.Amount
		if i == 0 {
			out.maxHourly, out.hourly = rate.Hourly, hourly
		}
		if rate.Provisional && !out.provisonal {
			out.provisonal, out.provYear, out.provWeekly = true, rate.Year, rate.Weekly
		}
	}
	return out, nil
}

// putPending puts p in place of the pending amount of its key; a nil p
// (the amount is final) removes it.
func putPending(list []RatePending, key string, p *RatePending) []RatePending {
	out := slices.DeleteFunc(slices.Clone(list), func(x RatePending) bool { return x.Key == key })
	if p != nil {
		out = append(out, *p)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// pendingOf is what the computation of period p under key left pending:
// the missing year when err is a kernel.ErrNoRate, the provisional year
// when a provisional rate was used, nil when the amount is final.
func pendingOf(key string, asked *refusion.Period, p refusion.Period, r rated, err error) *RatePending {
	var noRate kernel.ErrNoRate
	switch {
	case errors.As(err, &noRate):
		return &RatePending{Key: key, Asked: asked, Period: p, Year: noRate.Year, Waiting: true}
	case err == nil && r.provisonal:
		return &RatePending{Key: key, Asked: asked, Period: p, Year: r.provYear, Provisional: true, Weekly: r.provWeekly}
	}
	return nil
}

// NoRateReason explains that the rate year in force on a day has no
// maximum rate, so the amount is left open (DOMAIN.md: refuse rather than
// guess); it is computed when the rate is registered (Recompute).
func NoRateReason(e kernel.ErrNoRate) kernel.Reason {
	return kernel.Reason{
		Rule: "sdl-50-no-rate", Law: "sygedagpengeloven § 50, stk. 1",
		TextDa: e.Da() + " Beløbet beregnes og sendes, når satsen er kendt.",
		TextEn: e.En() + " The amount is computed and sent once the rate is known.",
		Inputs: map[string]any{"year": e.Year, "date": e.Date}, Result: nil,
	}
}

// recomputedReason says that amounts were computed again because rates for
// years became known.
func recomputedReason(rates kernel.Table, years []int) kernel.Reason {
	var da, en []string
	for _, y := range years {
		r, err := rates.Rate(y)
		if err != nil {
			continue
		}
		kind, kindEn := "offentliggjort", "published"
		if r.Provisional {
			kind, kindEn = "foreløbig", "provisional"
		}
		da = append(da, fmt.Sprintf("%d: %s pr. uge (%s, fra %s)", y, r.Weekly.Danish(), kind, r.EffectiveFrom.Danish()))
		en = append(en, fmt.Sprintf("%d: %s per week (%s, from %s)", y, r.Weekly.English(), kindEn, r.EffectiveFrom.English()))
	}
	return kernel.Reason{
		Rule: "sdl-50-recomputed", Law: "sygedagpengeloven § 50, stk. 1",
		TextDa: "Refusionen er beregnet igen, da den højeste sygedagpengesats blev kendt: " + strings.Join(da, "; ") + ".",
		TextEn: "The reimbursement was computed again when the maximum sygedagpenge rate became known: " + strings.Join(en, "; ") + ".",
		Inputs: map[string]any{"years": years}, Result: nil,
	}
}
