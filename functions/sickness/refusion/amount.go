package refusion

import (
	"fmt"

	"nemrefusion.dk/functions/kernel"
)

// MaxHourlyRate looks up the maximum hourly rate in force on day on
// (sygedagpengeloven § 50, stk. 1: a year's rate takes effect on the first
// Monday of January; the hourly rate is the weekly rate / 37). It returns
// ErrNoRate{year, on} when that year has no rate.
func MaxHourlyRate(rates kernel.Table, on kernel.Date) (kernel.Rate, kernel.Reason, error) {
	rate, err := rates.RateOn(on)
	if err != nil {
		return kernel.Rate{}, kernel.Reason{}, fmt.Errorf("maximum hourly rate: %w", err)
	}
	year := rate.Year
	r := kernel.Reason{
		Rule:   "sdl-50-max-rate",
		Law:    "sygedagpengeloven § 50, stk. 1",
		Source: rate.Source,
		TextDa: fmt.Sprintf("Den højeste sygedagpengesats for %d er %s pr. uge og %s pr. time (ugesats / 37). Den gælder fra %s, så den gælder %s.", year, rate.Weekly.Danish(), rate.Hourly.Danish(), rate.EffectiveFrom.Danish(), on.Danish()),
		TextEn: fmt.Sprintf("The maximum sygedagpenge rate for %d is %s per week and %s per hour (weekly rate / 37). It applies from %s, so it applies on %s.", year, rate.Weekly.English(), rate.Hourly.English(), rate.EffectiveFrom.English(), on.English()),
		Inputs: map[string]any{"year": year, "date": on, "effectiveFrom": rate.EffectiveFrom},
		Result: map[string]any{"weekly": rate.Weekly, "hourly": rate.Hourly, "provisional": rate.Provisional},
	}
	if rate.Provisional {
		r.Rule = "sdl-50-max-rate-provisional"
		r.TextDa += " Satsen er foreløbig (ikke offentliggjort) og kan ændre sig."
		r.TextEn += " The rate is provisional (not published) and may change."
	}
	return rate, r, nil
}

// HourlyRate returns the refusion per hour: the hourly earnings after the 8 %
// AM-bidrag (earnings × 0.92, rounded half up to whole øre), capped at the
// maximum hourly rate (sygedagpengeloven §§ 47 and 50; seed 002).
func HourlyRate(earnings, maxHourly kernel.Money) (kernel.Money, kernel.Reason) {
	after := kernel.AfterAMContribution(earnings)
	rate := min(after, maxHourly)
	r := kernel.Reason{
		Rule:   "sdl-47-hourly-rate",
		Law:    "sygedagpengeloven §§ 47 og 50",
		Source: srcAmount,
		Inputs: map[string]any{"hourlyEarnings": earnings, "maxHourlyRate": maxHourly},
		Result: rate,
	}
	if after > maxHourly {
		r.TextDa = fmt.Sprintf("Timefortjenesten %s efter 8 %% AM-bidrag er %s (afrundet til nærmeste øre, halve øre op). Det er mere end den højeste timesats, så refusionen er %s pr. time.", earnings.Danish(), after.Danish(), rate.Danish())
		r.TextEn = fmt.Sprintf("Hourly earnings of %s after the 8%% AM-bidrag are %s (rounded to the nearest øre, half up). That exceeds the maximum hourly rate, so reimbursement is %s per hour.", earnings.English(), after.English(), rate.English())
	} else {
		r.TextDa = fmt.Sprintf("Timefortjenesten %s efter 8 %% AM-bidrag er %s (afrundet til nærmeste øre, halve øre op). Det er højst den højeste timesats %s, så refusionen er %s pr. time.", earnings.Danish(), after.Danish(), maxHourly.Danish(), rate.Danish())
		r.TextEn = fmt.Sprintf("Hourly earnings of %s after the 8%% AM-bidrag are %s (rounded to the nearest øre, half up). That does not exceed the maximum hourly rate %s, so reimbursement is %s per hour.", earnings.English(), after.English(), maxHourly.English(), rate.English())
	}
	return rate, r
}

// WeeklyAmount returns the refusion for a full week: the hourly rate times the
// hours the employee should have worked in a week (taken to hundredths of an
// hour), rounded half up to whole øre (sygedagpengeloven § 47).
func WeeklyAmount(hourly kernel.Money, weeklyHours float64) (kernel.Money, kernel.Reason) {
	amount := hourly.TimesHours(weeklyHours)
	return amount, kernel.Reason{
		Rule:   "sdl-47-weekly-amount",
		Law:    "sygedagpengeloven § 47",
		Source: srcAmount,
		TextDa: fmt.Sprintf("Refusion for en hel uge: %s × %.2f timer = %s (afrundet til nærmeste øre, halve øre op).", hourly.Danish(), weeklyHours, amount.Danish()),
		TextEn: fmt.Sprintf("Reimbursement for a full week: %s × %.2f hours = %s (rounded to the nearest øre, half up).", hourly.English(), weeklyHours, amount.English()),
		Inputs: map[string]any{"hourlyRate": hourly, "weeklyHours": weeklyHours},
		Result: amount,
	}
}
