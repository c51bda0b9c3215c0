package sickness

import (
	"slices"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/sickness/absence"
	"nemrefusion.dk/functions/sickness/refusion"
	"nemrefusion.dk/infra/blanket"
)

// decided is outcome (at: when the decision was made) with the decision's reassessment notice carried out
// (sygedagpengeloven § 24, absence.Effects.Reassessment): an item of kind
// absence.DeliveryReassessment in the municipality's stream, with the
// submission that passed the limit and the reassessment's reason. Its item
// id has no version, so the delivery function keeps it once per absence
// even if the notice were sent again; the absence's state remembers it was
// sent (absence.Told), so it is not. A decision carried out elsewhere
// (outcome alone, e.g. a recompute) tells nothing and records nothing: the
// next submission's decision tells the municipality. The employer's line
// is the reassessment deadline in the expected refusion (expectation).
// A new absence's recipient is picked by the pipeline after the decision;
// a report alone never passes 22 weeks (it covers at most 3 months back),
// but should it, the notice waits for the next decision rather than go
// without a recipient. Without a submission (env nil: a caseworker's
// decision) the notice waits for the next submission too.
func decided(d absence.Decision, prior *blanket.Case, env *blanket.Env, at time.Time) (blanket.Outcome, error) {
	if d.Effects.Reassessment == nil {
		return outcome(d, prior, at), nil
	}
	if prior == nil || prior.Recipient == "" || env == nil {
		d.Effects.Reassessment = nil
		d.Reasons = slices.DeleteFunc(slices.Clone(d.Reasons), isReassessment)
		return outcome(d, prior, at), nil
	}
	absence.Told(&d)
	out := outcome(d, prior, at)
	a := d.Absence
	var reasons []events.Reason
	for _, r := range d.Reasons {
		if isReassessment(r) {
			reasons = append(reasons, r)
		}
	}
	payload, err := events.MarshalPayload(events.BlanketItem{Blanket: env.Event.Type(), Receipt: env.Receipt, Version: a.Version,
		Status: string(a.Status), Submission: env.Event.Data(), Result: out.Result, Reasons: reasons})
	if err != nil {
		return out, err
	}
	out.Events = append(out.Events, blanket.Emit{Type: events.DeliveryRequested, Data: events.DeliveryRequest{
		ItemID: a.ID + "/" + absence.DeliveryReassessment, Recipient: prior.Recipient, Kind: absence.DeliveryReassessment,
		CaseRef: a.ID, Sender: env.Sender, Payload: payload,
	}})
	return out, nil
}

func isReassessment(r events.Reason) bool { return r.Rule == refusion.RuleReassessment }
