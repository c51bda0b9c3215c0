package barsel

import (
	"fmt"
	"slices"

	"nemrefusion.dk/functions/kernel"
)

// Sources of the rules (shared/DOMAIN.md, Parental leave).
const (
	SourceBarsel39 = "https://elov.dk/barselloven/paragraf/39"
	SourceBarsel40 = "https://danskelove.dk/barselsloven/40"
	SourceMaxRate  = "https://dag.dk/g-dagssats-og-dagpengesats/"
)

// ExpiryDays is the week without absence giving right to refusion after
// which a leave period is expired (barselsloven § 40 stk. 3).
const ExpiryDays = 7

// DeadlineWeeks is the time after a leave period's expiry within which the
// employer must request refusion (barselsloven § 40 stk. 2).
const DeadlineWeeks = 8

// Period is one period of leave with the hours absent and, for an
// employer's request, the wages paid for them.
type Period struct {
	From        kernel.Date  `json:"from"`
	To          kernel.Date  `json:"to"`
	Kind        string       `json:"kind"`
	HoursAbsent float64      `json:"hoursAbsent"`
	WagesPaid   kernel.Money `json:"wagesPaid"`
}

// LeavePeriod is an orlovsperiode in the sense of § 40 stk. 3: periods of
// leave with less than a week between them, expired when a week has passed
// without such absence. Open is true when the leave goes on after To, so
// the period has not expired and has no deadline yet; EarliestDeadline is
// then the deadline it would have if it ended on To.
type LeavePeriod struct {
	From     kernel.Date `json:"from"`
	To       kernel.Date `json:"to"`
	Open     bool        `json:"open"`
	Expires  kernel.Date `json:"expires"`
	Deadline kernel.Date `json:"deadline"`
}

// Deadline returns when a leave period whose last day of absence is last
// expires (after a week without absence, § 40 stk. 3) and the last day a
// refusion request for it may be received (8 weeks after the expiry,
// § 40 stk. 2).
func Deadline(last kernel.Date) (expires, deadline kernel.Date, r kernel.Reason) {
	expires = last.AddDays(ExpiryDays)
	deadline = expires.AddDays(DeadlineWeeks * 7)
	return expires, deadline, kernel.Reason{
		Rule: "barsl-40-2-deadline", Law: "barselsloven § 40, stk. 2 og 3", Source: SourceBarsel40,
		TextDa: fmt.Sprintf("Orlovsperioden er udløbet den %s, når der i 1 uge efter sidste fraværsdag %s ikke har været fravær med ret til refusion; anmodningen skal være modtaget senest 8 uger efter, den %s.",
			expires.Danish(), last.Danish(), deadline.Danish()),
		TextEn: fmt.Sprintf("The leave period has expired on %s, when a week has passed after the last day of leave %s without absence giving right to reimbursement; the request must be received within 8 weeks after that, by %s.",
			expires.English(), last.English(), deadline.English()),
		Inputs: map[string]any{"lastDayOfLeave": last},
		Result: map[string]any{"expires": expires, "deadline": deadline},
	}
}

// LeavePeriods joins periods into leave periods (§ 40 stk. 3): a gap of
// less than a week keeps one leave period going; a week or more without
// leave ends it. When open is true, the last leave period goes on after its
// last day. The result is ordered by date.
func LeavePeriods(periods []Period, open bool) []LeavePeriod {
	ps := slices.Clone(periods)
	slices.SortFunc(ps, func(a, b Period) int {
		switch {
		case a.From.Before(b.From):
			return -1
		case a.From.After(b.From):
			return 1
		}
		return 0
	})
	var out []LeavePeriod
	for _, p := range ps {
		if n := len(out); n > 0 && !p.From.After(out[n-1].To.AddDays(ExpiryDays)) {
			if p.To.After(out[n-1].To) {
				out[n-1].To = p.To
			}
			continue
		}
		out = append(out, LeavePeriod{From: p.From, To: p.To})
	}
	for i := range out {
		out[i].Expires, out[i].Deadline, _ = Deadline(out[i].To)
		out[i].Open = open && i == len(out)-1
	}
	return out
}

// leaveOf returns the leave period p belongs to.
func leaveOf(lps []LeavePeriod, p Period) LeavePeriod {
	for _, lp := range lps {
		if !p.From.Before(lp.From) && !p.To.After(lp.To) {
			return lp
		}
	}
	return LeavePeriod{From: p.From, To: p.To}
}

// Lapsed decides whether the right to refusion for a period of leave
// period lp has lapsed: the request was received after the deadline of an
// expired leave period (§ 40 stk. 2, last sentence). An open leave period
// has not expired and cannot have lapsed.
func Lapsed(lp LeavePeriod, received kernel.Date) (bool, kernel.Reason) {
	in := map[string]any{"leavePeriodFrom": lp.From, "leavePeriodTo": lp.To, "open": lp.Open, "receivedOn": received}
	if lp.Open {
		return false, kernel.Reason{Rule: "barsl-40-3-open", Law: "barselsloven § 40, stk. 3", Source: SourceBarsel40,
			TextDa: fmt.Sprintf("Orlovsperioden fra %s fortsætter efter %s og er ikke udløbet; fristen løber først, når der har været 1 uge uden fravær (tidligst %s).", lp.From.Danish(), lp.To.Danish(), lp.Deadline.Danish()),
			TextEn: fmt.Sprintf("The leave period from %s goes on after %s and has not expired; the deadline only runs once a week has passed without absence (at the earliest %s).", lp.From.English(), lp.To.English(), lp.Deadline.English()),
			Inputs: in, Result: false}
	}
	if received.After(lp.Deadline) {
		return true, kernel.Reason{Rule: "barsl-40-2-lapsed", Law: "barselsloven § 40, stk. 2", Source: SourceBarsel40,
			TextDa: fmt.Sprintf("Anmodningen er modtaget %s, efter fristen %s for orlovsperioden %s–%s. Retten til refusion for perioden er bortfaldet.", received.Danish(), lp.Deadline.Danish(), lp.From.Danish(), lp.To.Danish()),
			TextEn: fmt.Sprintf("The request was received on %s, after the deadline %s of the leave period %s–%s. The right to reimbursement for the period has lapsed.", received.English(), lp.Deadline.English(), lp.From.English(), lp.To.English()),
			Inputs: in, Result: true}
	}
	return false, kernel.Reason{Rule: "barsl-40-2-in-time", Law: "barselsloven § 40, stk. 2", Source: SourceBarsel40,
		TextDa: fmt.Sprintf("Anmodningen er modtaget %s, inden fristen %s for orlovsperioden %s–%s.", received.Danish(), lp.Deadline.Danish(), lp.From.Danish(), lp.To.Danish()),
		TextEn: fmt.Sprintf("The request was received on %s, within the deadline %s of the leave period %s–%s.", received.English(), lp.Deadline.English(), lp.From.English(), lp.To.English()),
		Inputs: in, Result: false}
}

// MaxRate returns the maximum barselsdagpenge rate in force on day on: the
// sygedagpenge maximum (the rates table), which takes effect on the first
// Monday of January (sygedagpengeloven § 50, stk. 1; the days of January
// before it keep the previous year's rate), or kernel.ErrNoRate{year, on}.
func MaxRate(rates kernel.Table, on kernel.Date) (kernel.Rate, kernel.Reason, error) {
	rate, err := rates.RateOn(on)
	if err != nil {
		return rate, kernel.Reason{}, fmt.Errorf("maximum barselsdagpenge rate: %w", err)
	}
	year := rate.Year
	r := kernel.Reason{Rule: "barsl-39-max-rate", Law: "barselsloven § 39 (højeste dagpengesats); sygedagpengeloven § 50, stk. 1", Source: rate.Source,
		TextDa: fmt.Sprintf("Den højeste barselsdagpengesats for %d er den højeste sygedagpengesats: %s pr. uge, %s pr. time. Den gælder fra %s.", year, rate.Weekly.Danish(), rate.Hourly.Danish(), rate.EffectiveFrom.Danish()),
		TextEn: fmt.Sprintf("The maximum barselsdagpenge rate for %d is the maximum sygedagpenge rate: %s per week, %s per hour. It applies from %s.", year, rate.Weekly.English(), rate.Hourly.English(), rate.EffectiveFrom.English()),
		Inputs: map[string]any{"year": year, "date": on}, Result: map[string]any{"weekly": rate.Weekly, "hourly": rate.Hourly, "provisional": rate.Provisional}}
	if rate.Provisional {
		r.Rule = "barsl-39-max-rate-provisional"
		r.TextDa += " Satsen er foreløbig (ikke offentliggjort) og kan ændre sig."
		r.TextEn += " The rate is provisional (not published) and may change."
	}
	return rate, r, nil
}

// HourlyRate returns the barselsdagpenge per hour: the hourly earnings
// after the 8 % AM-bidrag, rounded half up to whole øre, at most the
// maximum hourly rate.
func HourlyRate(earnings, maxHourly kernel.Money) (kernel.Money, kernel.Reason) {
	after := kernel.AfterAMContribution(earnings)
	rate := min(after, maxHourly)
	return rate, kernel.Reason{Rule: "barsl-39-hourly-rate", Law: "barselsloven § 39", Source: SourceBarsel39,
		TextDa: fmt.Sprintf("Timefortjenesten %s efter 8 %% AM-bidrag er %s; højst den højeste timesats %s: barselsdagpengene er %s pr. time.", earnings.Danish(), after.Danish(), maxHourly.Danish(), rate.Danish()),
		TextEn: fmt.Sprintf("Hourly earnings of %s after the 8%% AM-bidrag are %s; at most the maximum hourly rate %s: the barselsdagpenge are %s per hour.", earnings.English(), after.English(), maxHourly.English(), rate.English()),
		Inputs: map[string]any{"hourlyEarnings": earnings, "maxHourlyRate": maxHourly}, Result: rate}
}

// Cap returns the refusion of a period: the barselsdagpenge the employee
// would have had, at most the wages paid (§ 39).
func Cap(dagpenge, wages kernel.Money) (kernel.Money, string, kernel.Reason) {
	amount, by := dagpenge, "dagpenge"
	if wages < dagpenge {
		amount, by = wages, "wages"
	}
	return amount, by, kernel.Reason{Rule: "barsl-39-cap", Law: "barselsloven § 39", Source: SourceBarsel39,
		TextDa: fmt.Sprintf("Refusionen er de barselsdagpenge, medarbejderen ville have fået (%s), dog højst den udbetalte løn (%s): %s.", dagpenge.Danish(), wages.Danish(), amount.Danish()),
		TextEn: fmt.Sprintf("Reimbursement is the barselsdagpenge the employee would have had (%s), at most the wages paid (%s): %s.", dagpenge.English(), wages.English(), amount.English()),
		Inputs: map[string]any{"dagpenge": dagpenge, "wagesPaid": wages}, Result: map[string]any{"refusion": amount, "cappedBy": by}}
}

// examinationReason says preventive pregnancy examinations give no refusion.
func examinationReason(p Period) kernel.Reason {
	return kernel.Reason{Rule: "barsl-40-5-examination", Law: "barselsloven § 40, stk. 5", Source: SourceBarsel40,
		TextDa: fmt.Sprintf("Der ydes ikke refusion for løn udbetalt ved fravær til forebyggende graviditetsundersøgelser (%s–%s).", p.From.Danish(), p.To.Danish()),
		TextEn: fmt.Sprintf("No reimbursement is paid for wages paid during absence for preventive pregnancy examinations (%s–%s).", p.From.English(), p.To.English()),
		Inputs: map[string]any{"from": p.From, "to": p.To, "kind": p.Kind}, Result: 0}
}
