package subsidy

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/runtime"
)

// The follow-ups of a grant (events/followups.go): a correction of one
// payment request and a cancellation. Each names its grant by case id
// ("absenceId") and is refused unless the grant exists for the same sender
// and is not cancelled. Like the requests they go to the municipality with
// no feedback (seeds/000 § 1 stk. 3), a receipt to the sender.

// StatusCancelled is the status of a grant its sender withdrew: it takes
// no more follow-ups, and a new request under the same agreement opens a
// new grant.
const StatusCancelled = "cancelled"

// Delivery kinds of the follow-ups' items to the municipality.
const (
	DeliveryCorrection   = "subsidy.correction"
	DeliveryCancellation = "subsidy.cancellation"
)

// lawOf is the law of each scheme's payment, which a follow-up changes.
var lawOf = map[string]string{
	grants.SchemeWage:             "LAB kapitel 12 (løntilskud)",
	grants.SchemeFlexjob:          "LAB § 133",
	grants.SchemeJobClarification: "LAS § 69 t",
	grants.SchemeAdultApprentice:  "LAB § 159",
	grants.SchemeMentor:           "LAB kapitel 26",
	grants.SchemeSelfEmployed136:  "LAB § 136",
}

var errUnknownGrant = events.FieldErrors{{Field: "absenceId", Code: "case.unknown",
	Da: "Tilskudssagen findes ikke hos denne afsender.", En: "The subsidy case does not exist for this sender."}}

var errCancelledGrant = events.FieldErrors{{Field: "absenceId", Code: "case.cancelled",
	Da: "Tilskudssagen er annulleret og kan ikke følges op.", En: "The subsidy case has been cancelled and takes no follow-ups."}}

// loadGrant loads the grant a follow-up from cvr names; another sender's
// grant is answered as one that does not exist.
func loadGrant(ctx context.Context, env *blanket.Env, id, cvr string) (grants.Grant, *blanket.Case, error) {
	c, ok, err := env.Load(ctx, id)
	if err != nil {
		return grants.Grant{}, nil, err
	}
	if !ok {
		if pending, err := env.Pending(ctx, id); err != nil || pending {
			return grants.Grant{}, nil, cmp.Or(err, runtime.Fail(runtime.KindUnavailable, "case-pending",
				"Tilskudssagen er ved at blive registreret. Prøv igen om lidt.", "The subsidy case is still being registered. Please try again shortly.", nil))
		}
		return grants.Grant{}, nil, errUnknownGrant
	}
	var g grants.Grant
	if c.Family != Family {
		return g, nil, errUnknownGrant
	}
	if err := json.Unmarshal(c.State, &g); err != nil {
		return g, nil, fmt.Errorf("grant %s state: %w", id, err)
	}
	if g.CVR != cvr {
		return g, nil, errUnknownGrant
	}
	if g.Status == StatusCancelled {
		return g, &c, errCancelledGrant
	}
	return g, &c, nil
}

// followUpOutcome is the outcome of a follow-up on grant g (already
// changed): the case kept where it is, the item to the municipality.
func followUpOutcome(g grants.Grant, c *blanket.Case, delivery string, res events.SubsidyResult, rs []kernel.Reason) blanket.Outcome {
	res.CaseID, res.Scheme, res.Status, res.Version = g.ID, g.Scheme, g.Status, g.Version
	key := g.Key()
	if g.Status == StatusCancelled {
		key = ""
	}
	out := blanket.Outcome{
		Case:     blanket.Case{ID: g.ID, Key: key, Tenant: c.Tenant, Person: g.CPR, Recipient: c.Recipient, Status: g.Status, Version: g.Version},
		State:    g,
		Result:   res,
		Delivery: delivery,
		Reasons:  rs,
	}
	if p, err := ids.ParseCPR(g.CPR); err == nil {
		out.Person = p
	}
	if s, err := ids.ParseCVR(g.CVR); err == nil {
		out.SenderCVR = s
	}
	return out
}

// correction decides a correction of one payment request under a grant:
// the period it names must have been requested (each day is paid once),
// the corrected period must not overlap another one requested, and the
// corrected dates, hours and amount replace what was requested; the
// municipality pays on the corrected figures.
func (h *Handler) correction(ctx context.Context, env *blanket.Env, r events.SubsidyCorrection) (blanket.Outcome, error) {
	g, c, err := loadGrant(ctx, env, r.AbsenceID, r.CVR)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(c)}}, err
	}
	at := -1
	for i, p := range g.Periods {
		if p == r.Period {
			at = i
		}
	}
	if at < 0 {
		return blanket.Outcome{Case: blanket.Case{ID: c.ID}}, events.FieldErrors{{Field: "period", Code: "not_requested",
			Da: fmt.Sprintf("Der er ikke anmodet om udbetaling for %s–%s under denne aftale.", r.Period.From, r.Period.To),
			En: fmt.Sprintf("No payment has been requested for %s–%s under this agreement.", r.Period.From, r.Period.To)}}
	}
	corrected := r.Period
	if r.CorrectedPeriod != nil {
		corrected = *r.CorrectedPeriod
		others := g
		others.Periods = append(append([]events.DatePeriod(nil), g.Periods[:at]...), g.Periods[at+1:]...)
		if e, overlaps := others.Overlap(mustDate(corrected.From), mustDate(corrected.To)); overlaps {
			return blanket.Outcome{Case: blanket.Case{ID: c.ID}}, events.FieldErrors{{Field: "correctedPeriod", Code: "already_requested",
				Da: fmt.Sprintf("Der er allerede anmodet om udbetaling for %s–%s under samme aftale.", e.From, e.To),
				En: fmt.Sprintf("Payment for %s–%s has already been requested under the same agreement.", e.From, e.To)}}
		}
	}
	g.Periods[at] = corrected
	g.Version++
	res := events.SubsidyResult{Period: corrected}
	if r.Hours != nil {
		res.Hours = *r.Hours
	}
	why := kernel.Reason{Rule: "subsidy-correction", Law: lawOf[g.Scheme] + " (rettelse af anmodningen)",
		TextDa: fmt.Sprintf("Afsenderen har rettet anmodningen for %s–%s: %s Kommunen udbetaler efter de rettede oplysninger.", r.Period.From, r.Period.To, r.Explanation),
		TextEn: fmt.Sprintf("The sender corrected the request for %s–%s: %s The municipality pays on the corrected figures.", r.Period.From, r.Period.To, r.Explanation),
		Inputs: map[string]any{"period": r.Period, "correctedPeriod": r.CorrectedPeriod, "hours": r.Hours, "amount": r.Amount, "explanation": r.Explanation},
		Result: corrected}
	return followUpOutcome(g, c, DeliveryCorrection, res, []kernel.Reason{why}), nil
}

// cancellation withdraws a grant's requests sent in error: the grant is
// cancelled, takes no more follow-ups and frees its natural key.
func (h *Handler) cancellation(ctx context.Context, env *blanket.Env, r events.FollowUpCancellation) (blanket.Outcome, error) {
	g, c, err := loadGrant(ctx, env, r.AbsenceID, r.CVR)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(c)}}, err
	}
	g.Status = StatusCancelled
	g.Version++
	var last events.DatePeriod
	if n := len(g.Periods); n > 0 {
		last = g.Periods[n-1]
	}
	why := kernel.Reason{Rule: "subsidy-cancellation", Law: lawOf[g.Scheme] + " (anmodningen trukket tilbage)",
		TextDa: "Afsenderen har annulleret anmodningerne under aftalen: " + r.Explanation,
		TextEn: "The sender cancelled the requests under the agreement: " + r.Explanation,
		Inputs: map[string]any{"explanation": r.Explanation, "periods": len(g.Periods)}, Result: StatusCancelled}
	return followUpOutcome(g, c, DeliveryCancellation, events.SubsidyResult{Period: last}, []kernel.Reason{why}), nil
}
