package refusion

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// MaxDispensationReason bounds the caseworker's reason for a dispensation.
const MaxDispensationReason = 1000

// RuleDispensation is the rule id of a dispensation's reason.
const RuleDispensation = "sdl-59-dispensation"

// EarliestRefusionDay is the first day refusion could run for an employer
// paying wages, before the late-report rules: the first absence day
// without an employer period, the day after it with one (§ 30), or the
// 2nd absence day for an employer insured under § 55 (with its reason).
func EarliestRefusionDay(in PreviewInput, ep EmployerPeriod) (kernel.Date, []kernel.Reason) {
	if !ep.Applies {
		return in.FirstAbsenceDay, nil
	}
	if in.InsuredSection55 {
		d, r := Section55RefusionFrom(in.FirstAbsenceDay, ep)
		return d, []kernel.Reason{r}
	}
	return ep.To.AddDays(1), nil
}

// DispensationError is a dispensation the rules refuse (not a bad field):
// the report was in time, the request came more than 6 months after the
// first absence day, no wages are paid. Code is stable; Da and En say why.
type DispensationError struct{ Code, Da, En string }

func (e DispensationError) Error() string { return "dispensation: " + e.Code }

// Dispense applies the municipality's dispensation from the late-report
// rule (sygedagpengeloven § 59): refusion then runs from the day the
// caseworker decided (from) instead of the day the late report was
// received (stk. 3). res is PreviewDates of in (the absence as it stands),
// why the caseworker's reason, which the reason records. It refuses
// (DispensationError) when no wages are paid, when the report was not late
// (nothing to dispense from), and always when the request came more than
// 6 months after the first absence day (stk. 6: not even by dispensation);
// and (events.FieldErrors on refusionFrom or reason) a day before the first
// day refusion could run at all (the employer period, § 30; § 55), after
// the last absence day, or not earlier than the refusion already decided,
// and a reason that is empty or too long.
func Dispense(res PreviewResult, in PreviewInput, from kernel.Date, why string) (PreviewResult, error) {
	if !in.WagesPaid {
		return res, DispensationError{"dispensation.no_wages", "Arbejdsgiveren udbetaler ikke løn under fraværet, så der er ingen refusion at give dispensation for.",
			"The employer pays no wages during the absence, so there is no reimbursement to give a dispensation for."}
	}
	if beyond, _ := BeyondDispensationLimit(in.FirstAbsenceDay, in.ReceivedOn); beyond {
		limit := in.FirstAbsenceDay.AddMonths(DispensationMonths)
		return res, DispensationError{"dispensation.beyond_6_months",
			fmt.Sprintf("Anmodningen er modtaget %s, mere end 6 måneder efter første fraværsdag (grænsen var %s). Der kan ikke gives dispensation (sygedagpengeloven § 59, stk. 6).", in.ReceivedOn.Danish(), limit.Danish()),
			fmt.Sprintf("The request was received on %s, more than 6 months after the first absence day (the limit was %s). No dispensation can be given (Sickness Benefit Act § 59(6)).", in.ReceivedOn.English(), limit.English())}
	}
	if !res.Late {
		return res, DispensationError{"dispensation.not_late", "Anmeldelsen er modtaget rettidigt, så der er ingen frist at give dispensation fra.",
			"The report was received in time, so there is no deadline to give a dispensation from."}
	}
	var fe events.FieldErrors
	earliest, _ := EarliestRefusionDay(in, res.EmployerPeriod)
	switch {
	case from.IsZero():
		fe.Add("refusionFrom", "required", "Angiv den dag, refusionen skal løbe fra.", "Give the day reimbursement is to run from.")
	case from.Before(earliest):
		fe.Add("refusionFrom", "before_earliest", fmt.Sprintf("Refusion kan tidligst løbe fra %s (efter arbejdsgiverperioden), også ved dispensation.", earliest.Danish()),
			fmt.Sprintf("Reimbursement can run from %s at the earliest (after the employer period), also with a dispensation.", earliest.English()))
	case in.LastAbsenceDay != nil && from.After(*in.LastAbsenceDay):
		fe.Add("refusionFrom", "after_last_absence_day", "Dagen ligger efter sidste fraværsdag.", "The day is after the last absence day.")
	case res.RefusionFrom != nil && !from.Before(*res.RefusionFrom):
		fe.Add("refusionFrom", "not_earlier", fmt.Sprintf("Refusionen løber allerede fra %s; en dispensation skal give refusion fra en tidligere dag.", res.RefusionFrom.Danish()),
			fmt.Sprintf("Reimbursement already runs from %s; a dispensation must give reimbursement from an earlier day.", res.RefusionFrom.English()))
	}
	switch why = strings.TrimSpace(why); {
	case why == "":
		fe.Add("reason", "required", "Begrundelsen for dispensationen skal udfyldes.", "The reason for the dispensation is required.")
	case utf8.RuneCountInString(why) > MaxDispensationReason:
		fe.Add("reason", "too_long", fmt.Sprintf("Begrundelsen kan højst være %d tegn.", MaxDispensationReason), fmt.Sprintf("The reason can be at most %d characters.", MaxDispensationReason))
	}
	if err := fe.Err(); err != nil {
		return res, err
	}
	before := res.RefusionFrom
	res.RefusionFrom = datePtr(from)
	res.Reasons = append(res.Reasons, kernel.Reason{
		Rule: RuleDispensation, Law: "sygedagpengeloven § 59", Source: srcSDL59,
		TextDa: fmt.Sprintf("Kommunen har givet dispensation fra fristen: refusion løber fra %s i stedet for fra den dag, anmeldelsen blev modtaget. Begrundelse: %s", from.Danish(), why),
		TextEn: fmt.Sprintf("The municipality gave a dispensation from the deadline: reimbursement runs from %s instead of from the day the report was received. Reason given: %s", from.English(), why),
		Inputs: map[string]any{"refusionFrom": from, "decidedBefore": before, "receivedOn": in.ReceivedOn, "reason": why},
		Result: from,
	})
	return res, nil
}
