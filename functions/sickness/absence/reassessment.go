package absence

import (
	"fmt"

	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

// ReassessmentFacts record that the municipality was told an absence is
// due for reassessment (revurdering, sygedagpengeloven § 24): once per
// absence; a later decision does not tell it again.
type ReassessmentFacts struct {
	// NotifiedOn is the day of the decision that passed the limit.
	NotifiedOn kernel.Date `json:"notifiedOn"`
	// AsOf is the last day counted, PaidDays the days counted in the 9
	// months up to it, DueAt the end of the month the case is reassessed.
	AsOf     kernel.Date `json:"asOf"`
	PaidDays int         `json:"paidDays"`
	DueAt    kernel.Date `json:"dueAt"`
}

// DeliveryReassessment is the kind of the item that tells the
// municipality an absence is due for reassessment.
const DeliveryReassessment = "sickness.reassessment"

// checkReassessment applies sygedagpengeloven § 24 after a decision on an
// employer's absence: once the refusion of the absence covers more than
// 22 weeks within the 9 months up to its last day of refusion
// (refusion.Reassessment, counted over the absence's expected refusion
// periods, which leave out the employer period), the municipality is told
// the case is due for reassessment and the employer sees when
// (Effects.Reassessment; once the handler has told it, Told records it on
// the absence, so it happens once per absence). Nothing happens before the
// limit is passed.
func checkReassessment(d *Decision, f Facts) {
	a := &d.Absence
	if a.Employer == nil || a.Reassessment != nil || len(a.Expected) == 0 {
		return
	}
	paid := make([]refusion.Period, 0, len(a.Expected))
	asOf := a.Expected[0].To
	for _, e := range a.Expected {
		paid = append(paid, e.Period)
		if e.To.After(asOf) {
			asOf = e.To
		}
	}
	res, err := refusion.Reassessment(paid, asOf)
	if err != nil || !res.Due {
		return
	}
	d.Effects.Reassessment = &ReassessmentFacts{NotifiedOn: f.ReceivedOn, AsOf: asOf, PaidDays: res.PaidDays, DueAt: *res.DueAt}
	d.Reasons = append(d.Reasons, res.Reasons...)
}

// Told records on the absence that the municipality has been told the
// reassessment d's effects ask for (a no-op when they ask none).
func Told(d *Decision) {
	if r := d.Effects.Reassessment; r != nil {
		d.Absence.Reassessment = r
	}
}

// ReassessmentDeadline is the line the employer's feedback shows once the
// municipality has been told to reassess the absence.
func ReassessmentDeadline(r ReassessmentFacts) (kind string, due kernel.Date, da, en string) {
	return "reassessment", r.DueAt,
		fmt.Sprintf("Der er søgt refusion for %d dage (mere end 22 uger) inden for 9 måneder. Kommunen skal revurdere sagen senest %s (sygedagpengeloven § 24).", r.PaidDays, r.DueAt.Danish()),
		fmt.Sprintf("Reimbursement has been asked for %d days (more than 22 weeks) within 9 months. The municipality must reassess the case by %s (Sickness Benefit Act § 24).", r.PaidDays, r.DueAt.English())
}
