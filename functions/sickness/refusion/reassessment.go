package refusion

import (
	"fmt"
	"slices"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Reassessment limits: more than 22 weeks paid within the preceding 9 months.
const (
	ReassessmentWeeks  = 22
	ReassessmentMonths = 9
)

// RuleReassessment is the rule id of the reassessment reason.
const RuleReassessment = "sdl-24-reassessment"

// Period is a span of calendar days, both ends included.
type Period struct {
	From kernel.Date `json:"from"`
	To   kernel.Date `json:"to"`
}

// ReassessmentResult says how many days of sygedagpenge or refusion were paid
// in the window, whether reassessment (revurdering) is due, and the end of the
// month at which it falls.
type ReassessmentResult struct {
	WindowFrom kernel.Date     `json:"windowFrom"`
	PaidDays   int             `json:"paidDays"`
	Due        bool            `json:"due"`
	DueAt      *kernel.Date    `json:"dueAt"`
	Reasons    []kernel.Reason `json:"reasons"`
}

// Reassessment flags revurdering once more than 22 weeks (154 days) of
// sygedagpenge or refusion were paid within the 9 months up to and including
// asOf; it then falls at the end of asOf's month (sygedagpengeloven § 24;
// cabiweb, DOMAIN.md). paid lists the paid periods, overlaps counted once;
// the caller leaves out the employer period, which does not count. It returns
// events.FieldErrors for a period that ends before it starts or lacks a date.
func Reassessment(paid []Period, asOf kernel.Date) (ReassessmentResult, error) {
	var fe events.FieldErrors
	if asOf.IsZero() {
		fe.Add("asOf", "required", "Opgørelsesdatoen skal udfyldes.", "The date of the count is required.")
	}
	for i, p := range paid {
		switch {
		case p.From.IsZero() || p.To.IsZero():
			fe.Add(fmt.Sprintf("paid/%d", i), "required", "Perioden skal have start og slut.", "The period needs a start and an end.")
		case p.To.Before(p.From):
			fe.Add(fmt.Sprintf("paid/%d", i), "to_before_from", "Periodens slut ligger før dens start.", "The period ends before it starts.")
		}
	}
	if err := fe.Err(); err != nil {
		return ReassessmentResult{}, fmt.Errorf("reassessment: %w", err)
	}
	windowFrom := asOf.AddMonths(-ReassessmentMonths).AddDays(1)
	days := paidDaysIn(paid, windowFrom, asOf)
	due := days > 7*ReassessmentWeeks
	res := ReassessmentResult{WindowFrom: windowFrom, PaidDays: days, Due: due}
	r := kernel.Reason{
		Rule:   RuleReassessment,
		Law:    "sygedagpengeloven § 24",
		Source: srcReassessment,
		Inputs: map[string]any{"asOf": asOf, "windowFrom": windowFrom, "paidPeriods": paid},
		Result: map[string]any{"paidDays": days, "due": due},
	}
	if due {
		at := asOf.EndOfMonth()
		res.DueAt = datePtr(at)
		r.TextDa = fmt.Sprintf("Der er udbetalt sygedagpenge eller refusion for %d dage (mere end 22 uger) i de 9 måneder %s–%s. Sagen skal revurderes ved udgangen af måneden, %s.", days, windowFrom.Danish(), asOf.Danish(), at.Danish())
		r.TextEn = fmt.Sprintf("Sygedagpenge or reimbursement has been paid for %d days (more than 22 weeks) in the 9 months %s–%s. The case must be reassessed at the end of the month, %s.", days, windowFrom.English(), asOf.English(), at.English())
	} else {
		r.TextDa = fmt.Sprintf("Der er udbetalt sygedagpenge eller refusion for %d dage i de 9 måneder %s–%s, ikke mere end 22 uger (154 dage). Ingen revurdering endnu.", days, windowFrom.Danish(), asOf.Danish())
		r.TextEn = fmt.Sprintf("Sygedagpenge or reimbursement has been paid for %d days in the 9 months %s–%s, not more than 22 weeks (154 days). No reassessment yet.", days, windowFrom.English(), asOf.English())
	}
	res.Reasons = []kernel.Reason{r}
	return res, nil
}

// paidDaysIn counts the calendar days in from..to covered by at least one period.
func paidDaysIn(paid []Period, from, to kernel.Date) int {
	clipped := make([]Period, 0, len(paid))
	for _, p := range paid {
		p.From = maxDate(p.From, from)
		if p.To.After(to) {
			p.To = to
		}
		if !p.To.Before(p.From) {
			clipped = append(clipped, p)
		}
	}
	slices.SortFunc(clipped, func(a, b Period) int { return b.From.DaysUntil(a.From) })
	days := 0
	var covered *kernel.Date // last day counted so far
	for _, p := range clipped {
		start := p.From
		if covered != nil && !start.After(*covered) {
			start = covered.AddDays(1)
		}
		if !p.To.Before(start) {
			days += start.DaysUntil(p.To) + 1
			covered = datePtr(p.To)
		}
	}
	return days
}
