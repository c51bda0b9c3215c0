package refusion

import (
	"fmt"

	"nemrefusion.dk/functions/kernel"
)

// PeriodHours returns the hours the employee should have worked in p, which
// is what refusion is paid for (sygedagpengeloven § 47): with a schedule
// (hours per weekday, Monday first) the sum of the scheduled hours of each
// day; without one, the weekly hours spread evenly over the seven days of
// the week.
func PeriodHours(p Period, weeklyHours float64, schedule []float64) float64 {
	if p.To.Before(p.From) {
		return 0
	}
	days := p.From.DaysUntil(p.To) + 1
	if len(schedule) != 7 {
		return kernel.RoundHours(weeklyHours * float64(days) / 7)
	}
	var total float64
	for d := p.From; !d.After(p.To); d = d.AddDays(1) {
		wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
		total += schedule[wd]
	}
	return total
}

// PeriodAmount is the refusion of a period: the hourly rate times the hours
// the employee should have worked in it, or, for partial absence, the hours
// absent (taken as hoursAbsentPerWeek of every weeklyHours), rounded half up
// to whole øre (sygedagpengeloven §§ 47 and 53).
func PeriodAmount(p Period, hourly kernel.Money, weeklyHours float64, schedule []float64, hoursAbsentPerWeek *float64) (kernel.Money, kernel.Reason) {
	hours := PeriodHours(p, weeklyHours, schedule)
	how := "arbejdsplanen"
	howEn := "the schedule"
	if len(schedule) != 7 {
		how, howEn = "den ugentlige arbejdstid fordelt på ugens 7 dage", "the weekly hours spread over the 7 days of the week"
	}
	if hoursAbsentPerWeek != nil && weeklyHours > 0 && *hoursAbsentPerWeek < weeklyHours {
		hours = kernel.RoundHours(hours * *hoursAbsentPerWeek / weeklyHours)
		how += fmt.Sprintf(", delvist fravær %.2f af %.2f timer om ugen", *hoursAbsentPerWeek, weeklyHours)
		howEn += fmt.Sprintf(", partial absence of %.2f of %.2f hours a week", *hoursAbsentPerWeek, weeklyHours)
	}
	amount := hourly.TimesHours(hours)
	return amount, kernel.Reason{
		Rule:   "sdl-47-period-amount",
		Law:    "sygedagpengeloven §§ 47 og 53",
		Source: srcAmount,
		TextDa: fmt.Sprintf("Refusion for %s–%s: %.2f timer (efter %s) × %s = %s.", p.From.Danish(), p.To.Danish(), hours, how, hourly.Danish(), amount.Danish()),
		TextEn: fmt.Sprintf("Reimbursement for %s–%s: %.2f hours (by %s) × %s = %s.", p.From.English(), p.To.English(), hours, howEn, hourly.English(), amount.English()),
		Inputs: map[string]any{"period": p, "hourlyRate": hourly, "weeklyHours": weeklyHours, "schedule": schedule, "hoursAbsentPerWeek": hoursAbsentPerWeek},
		Result: map[string]any{"hours": hours, "amount": amount},
	}
}
