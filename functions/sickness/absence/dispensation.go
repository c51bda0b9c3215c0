package absence

import (
	"errors"
	"fmt"
	"strings"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

// DispensationFacts are the municipality's dispensation from the
// late-report rule (sygedagpengeloven § 59): refusion runs from
// RefusionFrom; Reason is the caseworker's, By the municipality
// ("municipality:101"), DecidedOn the day.
type DispensationFacts struct {
	RefusionFrom kernel.Date `json:"refusionFrom"`
	Reason       string      `json:"reason"`
	By           string      `json:"by"`
	DecidedOn    kernel.Date `json:"decidedOn"`
}

// DeliveryDispensation is the kind of the item that gives the recipient's
// case system the absence as the dispensation changed it.
const DeliveryDispensation = "sickness.dispensation"

// Dispense decides a caseworker's dispensation (sygedagpengeloven § 59) on
// an employer's absence whose report was late: refusion from the day from
// instead of the day the report was received, never for a request more
// than 6 months after the first absence day (refusion.Dispense). The
// absence keeps it (Absence.Dispensation), so a later correction or
// recovery decides with it; the expected refusion is recomputed and the
// change goes to the recipient and back to the employer. f.ReceivedOn is
// the day of the decision. It refuses (refusion.DispensationError) an
// absence that is not an employer's or is cancelled.
func Dispense(a Absence, from kernel.Date, reason, by string, f Facts) (Decision, error) {
	if a.Employer == nil {
		return Decision{}, refusion.DispensationError{Code: "dispensation.not_employer",
			Da: "Kun en arbejdsgivers sygefravær har refusion, der kan gives dispensation for.",
			En: "Only an employer's absence has reimbursement a dispensation can be given for."}
	}
	if a.Status == StatusCancelled {
		return Decision{}, refusion.DispensationError{Code: "dispensation.cancelled",
			Da: "Sygefraværet er annulleret.", En: "The absence has been cancelled."}
	}
	in := employerPreviewInput(a)
	res, err := refusion.PreviewDates(in)
	if err != nil {
		return Decision{}, err
	}
	prev := a.Dispensation
	a.Dispensation = nil
	if _, err := refusion.Dispense(res, in, from, reason); err != nil {
		return Decision{}, err
	}
	a.Dispensation = &DispensationFacts{RefusionFrom: from, Reason: strings.TrimSpace(reason), By: by, DecidedOn: f.ReceivedOn}
	a.Version++
	d, err := decideEmployer(a, f)
	if err != nil {
		return Decision{}, err
	}
	if prev != nil {
		d.Reasons = append([]kernel.Reason{{Rule: "sdl-59-dispensation-replaced", Law: "sygedagpengeloven § 59",
			TextDa: fmt.Sprintf("Dispensationen fra %s (refusion fra %s) er erstattet.", prev.DecidedOn.Danish(), prev.RefusionFrom.Danish()),
			TextEn: fmt.Sprintf("The dispensation of %s (reimbursement from %s) is replaced.", prev.DecidedOn.English(), prev.RefusionFrom.English()),
			Inputs: map[string]any{"previous": *prev}, Result: from}}, d.Reasons...)
	}
	d.Effects.Delivery = DeliveryDispensation
	d.Effects.Reminders, d.Effects.CancelReminders = nil, false
	return d, nil
}

// dispensed applies the absence's dispensation, if any, to the refusion
// rules' result. When the absence changed since (a correction) so that the
// dispensation no longer fits, the rules' own result stands and a reason
// says the dispensation lapsed; the caseworker can give a new one.
func dispensed(a Absence, in refusion.PreviewInput, res refusion.PreviewResult) refusion.PreviewResult {
	x := a.Dispensation
	if x == nil {
		return res
	}
	out, err := refusion.Dispense(res, in, x.RefusionFrom, x.Reason)
	if err == nil {
		return out
	}
	res.Reasons = append(res.Reasons, kernel.Reason{Rule: "sdl-59-dispensation-lapsed", Law: "sygedagpengeloven § 59", Source: "https://elov.dk/sygedagpengeloven/59/",
		TextDa: fmt.Sprintf("Kommunens dispensation af %s (refusion fra %s) passer ikke længere til fraværet, som det er rettet; fristreglerne gælder.", x.DecidedOn.Danish(), x.RefusionFrom.Danish()),
		TextEn: fmt.Sprintf("The municipality's dispensation of %s (reimbursement from %s) no longer fits the absence as corrected; the deadline rules apply.", x.DecidedOn.English(), x.RefusionFrom.English()),
		Inputs: map[string]any{"dispensation": *x, "error": errText(err)}, Result: res.RefusionFrom})
	return res
}

func errText(err error) string {
	var fe events.FieldErrors
	if de, ok := err.(refusion.DispensationError); ok {
		return de.Code
	}
	if errors.As(err, &fe) && len(fe) > 0 {
		return fe[0].Code
	}
	return err.Error()
}
