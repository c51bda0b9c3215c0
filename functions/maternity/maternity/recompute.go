package maternity

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/barsel"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/runtime"
)

// expectation is the employer's expected refusion of the leave, whole (the
// delivery function replaces the earlier one with it), computed at at.
func expectation(l barsel.Leave, at time.Time) events.RefusionExpectation {
	exp := events.RefusionExpectation{AbsenceID: l.ID, SenderCVR: l.CVR, Recipient: ids.UDK.String(),
		ComputedAt: at.UTC().Format(time.RFC3339Nano), Periods: l.Expected}
	if exp.Periods == nil {
		exp.Periods = []events.ExpectedPeriod{}
	}
	return exp
}

// rateWait is what an employer's request res left without a final amount
// for want of a published maximum rate: its periods without a refusion (no
// rate) and those computed with a provisional rate, with what is needed to
// compute them again; ok false when nothing waits.
func rateWait(req barsel.Request, res barsel.Result) (barsel.RateWait, bool) {
	if res.Complete && !res.Provisional {
		return barsel.RateWait{}, false
	}
	w := barsel.RateWait{HourlyEarnings: req.HourlyEarnings, LeaveContinues: req.LeaveContinues, ReceivedOn: req.ReceivedOn,
		Years: slices.Clone(res.MissingRateYears), Earlier: slices.Clone(req.Earlier)}
	for _, p := range res.Periods {
		if p.Refusion == nil || p.Provisional {
			w.Periods = append(w.Periods, p.Period)
			if y := p.From.Year(); p.Provisional && !slices.Contains(w.Years, y) {
				w.Years = append(w.Years, y)
			}
		} else {
			w.Earlier = append(w.Earlier, p.Period)
		}
	}
	return w, len(w.Periods) > 0
}

// expect puts the refusion of period p in place of its earlier expected
// amount (or adds it) and reports whether that changed anything.
func expect(list []events.ExpectedPeriod, p barsel.PeriodResult) ([]events.ExpectedPeriod, bool) {
	e := events.ExpectedPeriod{From: p.From.String(), To: p.To.String(), AmountOre: p.Refusion.Ore()}
	i := slices.IndexFunc(list, func(x events.ExpectedPeriod) bool { return x.From == e.From && x.To == e.To })
	if i < 0 {
		list = append(list, e)
		slices.SortStableFunc(list, func(a, b events.ExpectedPeriod) int { return strings.Compare(a.From, b.From) })
		return list, true
	}
	if list[i].AmountOre == e.AmountOre {
		return list, false
	}
	list[i] = e
	return list, true
}

// recomputeLeave computes the periods of l that waited for a maximum rate,
// or were computed with a provisional one, with rates (barselsloven § 39;
// the rate in force on each period's first day, sygedagpengeloven § 50,
// stk. 1), as the request that reported them was decided (its earnings,
// its day received, the periods known then). It returns the leave with
// their refusion expected, the result of the last request whose amount
// changed, its reasons, and changed false when no amount changed (a rate
// still missing, or a provisional rate published at the same amount), so a
// repeated recompute changes nothing. A request stays waiting while a rate
// it uses is provisional.
func recomputeLeave(l barsel.Leave, rates kernel.Table) (barsel.Leave, barsel.Result, []kernel.Reason, bool, error) {
	var keep []barsel.RateWait
	var last barsel.Result
	var reasons []kernel.Reason
	var years []int
	for _, w := range l.RateWaiting {
		res, err := barsel.Compute(barsel.Request{Periods: w.Periods, Earlier: w.Earlier, HourlyEarnings: w.HourlyEarnings,
			LeaveContinues: w.LeaveContinues, ReceivedOn: w.ReceivedOn}, rates)
		if err != nil {
			return l, last, nil, false, fmt.Errorf("recompute leave %s: %w", l.ID, err)
		}
		if !res.Complete {
			keep = append(keep, w)
			continue
		}
		if res.Provisional {
			keep = append(keep, w)
		}
		moved := false
		for _, p := range res.Periods {
			if p.Refusion == nil {
				continue
			}
			var ch bool
			l.Expected, ch = expect(l.Expected, p)
			moved = moved || ch
		}
		if moved {
			last, years = res, append(years, w.Years...)
			reasons = append(reasons, res.Reasons...)
		}
	}
	if len(years) == 0 {
		return l, last, nil, false, nil
	}
	l.RateWaiting = keep
	l.Version++
	var list []string
	for _, y := range years {
		list = append(list, fmt.Sprint(y))
	}
	reasons = append(reasons, kernel.Reason{Rule: "barsl-39-recomputed", Law: "barselsloven § 39; sygedagpengeloven § 50, stk. 1", Source: barsel.SourceMaxRate,
		TextDa: "Refusionen er beregnet igen, da den højeste dagpengesats for " + strings.Join(list, ", ") + " blev kendt.",
		TextEn: "The reimbursement was computed again when the maximum dagpenge rate for " + strings.Join(list, ", ") + " became known.",
		Inputs: map[string]any{"years": years}})
	return l, last, reasons, true, nil
}

// Recompute computes, in tx, every leave whose periods waited for a maximum
// rate that the function's copy now has, and feeds each back as its
// request was decided (blanket.Pipeline.Redecide: the delivery to
// Udbetaling Danmark, refusion.expected, blanket.decided with the
// request's receipt), once. It returns how many leaves were fed back.
func (h *Handler) Recompute(ctx context.Context, tx *runtime.Tx) (int, error) {
	rates, err := CurrentRates(ctx, tx)
	if err != nil {
		return 0, err
	}
	cases, err := h.pipe.CasesWithState(ctx, tx, Family, "rateWaiting")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cases {
		var l barsel.Leave
		if err := json.Unmarshal(c.State, &l); err != nil {
			return n, fmt.Errorf("leave %s state: %w", c.ID, err)
		}
		l, res, reasons, changed, err := recomputeLeave(l, rates)
		if err != nil {
			return n, err
		}
		if !changed {
			continue
		}
		out := outcome(l, &c, DeliveryEmployer, false, employerResult(l, res), reasons)
		out.Events = append(out.Events, blanket.Emit{Type: events.RefusionExpected, Data: expectation(l, time.Now())})
		if err := h.pipe.Redecide(ctx, tx, events.ParentalEmployerReported, out, "recomputed: the maximum rate became known"); err != nil {
			return n, fmt.Errorf("recompute leave %s: %w", c.ID, err)
		}
		n++
	}
	return n, nil
}
