package absence

import (
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

// The sick person's own recovery (seeds/003 "Meld dig rask", signed in Mit
// Sygefravær; sygedagpengeloven § 7) and a partial resumption with less
// than 4 hours' absence a week (which counts as recovered, DOMAIN.md
// "Partial absence") end the absence for everyone, as a sender's recovery
// does: the absence gets its last day, the expected refusion is cut to it,
// the reminders are cancelled, the data foundation gets a recovery notice
// (seeds/004 § 133 stk. 3) and the sender its changed feedback.
//
// Which last day stands when both the sick person and the sender report
// one (the rules, in either order):
//   - The earliest last absence day wins: a person fit on a day is not sick
//     after it, and no refusion or sygedagpenge run past the first end
//     reported (§ 7). A later report with the same or a later day changes
//     nothing: no second notice, cut, cancellation or delivery of the
//     absence as changed (the later report itself still reaches the
//     municipality: the sender's as its submission, the person's as their
//     answer from the citizen function).
//   - A later report with an earlier day moves the end to it, with every
//     effect of a recovery.
//   - A cancelled absence is not changed by the person's report; nor is an
//     absence known only from an early follow-up request.
//   - A sender's correction of the last day (events.SicknessCorrection)
//     still replaces it: the sender corrects its report on purpose.

// CitizenRecoveryFacts is the sick person's own report of the end of the
// absence, as the absence keeps it.
type CitizenRecoveryFacts struct {
	// AnswerID is the citizen function's answer.
	AnswerID string `json:"answerId"`
	// Kind is "recovery" or "partial-resumption".
	Kind           string      `json:"kind"`
	LastAbsenceDay kernel.Date `json:"lastAbsenceDay"`
	ReportedOn     kernel.Date `json:"reportedOn"`
}

// Citizen report kinds (CitizenRecoveryFacts.Kind).
const (
	CitizenRecovery          = "recovery"
	CitizenPartialResumption = "partial-resumption"
)

// DeliveryCitizenRecovery is the kind of the item that gives the
// recipient's case system the absence as the sick person's recovery
// changed it (the sender's report, status recovered, the reasons). The
// person's answer itself reaches it from the citizen function (kind
// events.DeliveryKindCitizenRecovery); the sender's work list shows the
// absence's state from this item.
const DeliveryCitizenRecovery = "sickness.citizen-recovery"

// RecoverByCitizen decides the sick person's report that the absence ended
// on last (c): ok is false when it changes nothing (the rules above). The
// decision is a sender's recovery (Recover) with the person's reason first,
// delivered as DeliveryCitizenRecovery.
func RecoverByCitizen(a Absence, c CitizenRecoveryFacts, extra []kernel.Reason, f Facts) (d Decision, ok bool, err error) {
	if a.Status == StatusCancelled || a.Status == StatusEarlyFollowUp || c.LastAbsenceDay.IsZero() {
		return Decision{}, false, nil
	}
	if a.LastAbsenceDay != nil && !c.LastAbsenceDay.Before(*a.LastAbsenceDay) {
		return Decision{}, false, nil // the earlier (or the same) day stands
	}
	last := c.LastAbsenceDay
	if last.Before(a.FirstAbsenceDay) {
		last = a.FirstAbsenceDay // fit from the first day: the first day is the last
	}
	c.LastAbsenceDay = last
	d, err = Recover(a, events.SicknessRecoveryReport{AbsenceID: a.ID, CVR: a.CVR, LastAbsenceDay: last.String()}, f)
	if err != nil {
		return Decision{}, false, err
	}
	d.Absence.CitizenRecovery = &c
	who := kernel.Reason{
		Rule: "citizen-recovery", Law: "sygedagpengeloven § 7 (raskmelding); seeds/003 \"Meld dig rask\"",
		TextDa: fmt.Sprintf("Den sygemeldte har selv meldt sig rask i Mit Sygefravær med sidste fraværsdag %s.", last.Danish()),
		TextEn: fmt.Sprintf("The sick person reported themself fit in Mit Sygefravær with the last absence day %s.", last.English()),
		Inputs: map[string]any{"kind": c.Kind, "answerId": c.AnswerID, "lastAbsenceDay": last, "reportedOn": c.ReportedOn}, Result: StatusRecovered,
	}
	if a.LastAbsenceDay != nil {
		who.TextDa += fmt.Sprintf(" Den er tidligere end den sidste fraværsdag, afsenderen meldte (%s), og gælder.", a.LastAbsenceDay.Danish())
		who.TextEn += fmt.Sprintf(" It is earlier than the last absence day the sender reported (%s) and stands.", a.LastAbsenceDay.English())
	}
	d.Reasons = append(append([]kernel.Reason{who}, extra...), d.Reasons...)
	d.Effects.Delivery = DeliveryCitizenRecovery
	return d, true, nil
}

// laterRecovery decides a sender's recovery on an absence the sick person
// already ended (c) on a day no later than last: the person's earlier day
// stands (the rules above), so nothing but the decision itself happens —
// the municipality gets the sender's report, the sender its feedback with
// the day that stands; no notice, cut or cancellation again. ok is false
// when the sender's day is earlier: then it is an ordinary recovery.
func laterRecovery(a Absence, last kernel.Date) (Decision, bool) {
	c := a.CitizenRecovery
	if c == nil || a.LastAbsenceDay == nil || last.Before(*a.LastAbsenceDay) {
		return Decision{}, false
	}
	a.Version++
	d := Decision{Absence: a, Reasons: []kernel.Reason{{
		Rule: "recovery-already-reported", Law: "sygedagpengeloven § 7 (raskmelding)",
		TextDa: fmt.Sprintf("Den sygemeldte har allerede meldt sig rask med sidste fraværsdag %s. Den tidligste sidste fraværsdag gælder, så raskmeldingen (%s) ændrer ikke fraværet.",
			a.LastAbsenceDay.Danish(), last.Danish()),
		TextEn: fmt.Sprintf("The sick person already reported themself fit with the last absence day %s. The earliest last absence day stands, so the recovery report (%s) does not change the absence.",
			a.LastAbsenceDay.English(), last.English()),
		Inputs: map[string]any{"lastAbsenceDay": last, "reportedBySickPerson": *a.LastAbsenceDay}, Result: StatusRecovered,
	}}}
	d.Effects = Effects{Delivery: "sickness.recovery"}
	return d, true
}

// ResumedFrom is the day a partial resumption counts as a recovery from
// (sygedagpengeloven § 53 via DOMAIN.md "Partial absence": under 4 hours'
// absence a week counts as recovered), and why; ok is false when every week
// still has 4 hours' absence or more (the absence goes on, reduced: the
// municipality decides on it from the person's answer). The hours absent in
// a week are the normal weekly hours the sender gave minus the hours worked
// (an employee, an unemployed member), or the degree of incapacity of the
// weekly hours (the self-employed). Without weekly hours nothing is decided.
func ResumedFrom(a Absence, p events.CitizenPartialResumption) (from kernel.Date, why kernel.Reason, ok bool) {
	weekly := a.weeklyHours()
	if weekly <= 0 {
		return kernel.Date{}, kernel.Reason{}, false
	}
	check := func(day string, absent float64) bool {
		d, err := kernel.ParseDate(day)
		if err != nil || absent >= refusion.MinPartialAbsenceHours {
			return false
		}
		if !ok || d.Before(from) {
			from, ok = d, true
			why = partialRecoveredReason(absent)
			why.Inputs = map[string]any{"hoursAbsent": absent, "weeklyHours": weekly, "from": d}
		}
		return true
	}
	for _, w := range p.Weeks {
		worked := float64(w.Hours) + float64(w.Minutes)/60
		check(w.WeekStart, max(weekly-worked, 0))
	}
	if in := p.Incapacity; in != nil {
		check(in.From, weekly*float64(in.Percent)/100)
	}
	return from, why, ok
}

// weeklyHours are the normal weekly hours the sender gave (0 when none).
func (a Absence) weeklyHours() float64 {
	switch {
	case a.Employer != nil:
		return a.Employer.WeeklyHours
	case a.SelfEmployed != nil:
		return a.SelfEmployed.WeeklyHours
	case a.AKasse != nil:
		return a.AKasse.WeeklyHours
	}
	return 0
}
