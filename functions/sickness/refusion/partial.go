package refusion

import (
	"fmt"
	"math"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// MinPartialAbsenceHours is the least absence a week that gives reduced
// sygedagpenge; less counts as recovered.
const MinPartialAbsenceHours = 4

// PartialAbsenceInput describes a week of partial absence (delvis
// uarbejdsdygtighed): the hours absent because of sickness, the normal weekly
// hours, and the refusion per hour (see HourlyRate).
type PartialAbsenceInput struct {
	HoursAbsent float64      `json:"hoursAbsent"`
	WeeklyHours float64      `json:"weeklyHours"`
	HourlyRate  kernel.Money `json:"hourlyRate"`
}

// PartialAbsenceResult says whether the week counts as recovered and, if
// not, the reduced refusion for the week.
type PartialAbsenceResult struct {
	Recovered    bool            `json:"recovered"`
	WeeklyAmount kernel.Money    `json:"weeklyAmount"`
	Reasons      []kernel.Reason `json:"reasons"`
}

// PartialAbsence applies the partial-absence rules: under 4 hours' absence a
// week counts as recovered (no refusion); otherwise the refusion is the same
// amount per absence hour as for full absence, i.e. the full weekly amount
// reduced in proportion to the hours absent (sygedagpengeloven § 53;
// cabiweb, DOMAIN.md). It returns events.FieldErrors for bad hours.
func PartialAbsence(in PartialAbsenceInput) (PartialAbsenceResult, error) {
	var fe events.FieldErrors
	switch h := in.HoursAbsent; {
	case math.IsNaN(h) || math.IsInf(h, 0) || h < 0:
		fe.Add("hoursAbsent", "invalid", "Fraværstimerne skal være et tal på 0 eller mere.", "The hours absent must be a number of 0 or more.")
	case in.WeeklyHours > 0 && h > in.WeeklyHours:
		fe.Add("hoursAbsent", "too_large", "Fraværstimerne kan ikke overstige den ugentlige arbejdstid.", "The hours absent cannot exceed the weekly hours.")
	}
	if h := in.WeeklyHours; math.IsNaN(h) || math.IsInf(h, 0) || h <= 0 || h > MaxHoursPerWeek {
		fe.Add("weeklyHours", "invalid", fmt.Sprintf("Den ugentlige arbejdstid skal være mellem 0 og %d timer.", MaxHoursPerWeek), fmt.Sprintf("The weekly hours must be between 0 and %d.", MaxHoursPerWeek))
	}
	if in.HourlyRate < 0 {
		fe.Add("hourlyRate", "negative", "Timesatsen kan ikke være negativ.", "The hourly rate cannot be negative.")
	}
	if err := fe.Err(); err != nil {
		return PartialAbsenceResult{}, fmt.Errorf("partial absence: %w", err)
	}
	inputs := map[string]any{"hoursAbsent": in.HoursAbsent, "weeklyHours": in.WeeklyHours, "hourlyRate": in.HourlyRate}
	if in.HoursAbsent < MinPartialAbsenceHours {
		return PartialAbsenceResult{Recovered: true, Reasons: []kernel.Reason{{
			Rule:   "sdl-partial-min-4-hours",
			Law:    "sygedagpengeloven § 53 (delvis uarbejdsdygtighed, mindst 4 timer om ugen)",
			Source: srcPartial,
			TextDa: fmt.Sprintf("Fraværet er %.2f timer om ugen, under 4 timer. Medarbejderen regnes for rask, og der ydes ingen refusion for ugen.", in.HoursAbsent),
			TextEn: fmt.Sprintf("The absence is %.2f hours a week, under 4 hours. The employee counts as recovered, and no reimbursement is paid for the week.", in.HoursAbsent),
			Inputs: inputs,
			Result: map[string]any{"recovered": true},
		}}}, nil
	}
	amount := in.HourlyRate.TimesHours(in.HoursAbsent)
	return PartialAbsenceResult{WeeklyAmount: amount, Reasons: []kernel.Reason{{
		Rule:   "sdl-53-partial",
		Law:    "sygedagpengeloven § 53",
		Source: srcSDL53,
		TextDa: fmt.Sprintf("Delvist fravær på %.2f af %.2f timer om ugen giver nedsat refusion med samme beløb pr. fraværstime: %s × %.2f = %s.", in.HoursAbsent, in.WeeklyHours, in.HourlyRate.Danish(), in.HoursAbsent, amount.Danish()),
		TextEn: fmt.Sprintf("Partial absence of %.2f of %.2f hours a week gives reduced reimbursement at the same amount per hour absent: %s × %.2f = %s.", in.HoursAbsent, in.WeeklyHours, in.HourlyRate.English(), in.HoursAbsent, amount.English()),
		Inputs: inputs,
		Result: map[string]any{"recovered": false, "weeklyAmount": amount},
	}}}, nil
}
