// Package maternity is the maternity function's handler: the blanket
// definitions of the three parental-leave blankets (employer's refusion
// request, self-employed's barselsdagpenge, a-kasse's information), how a
// request finds its leave (case), how the rules of package barsel become a
// blanket.Outcome, and the preview endpoint. Rules live in package barsel;
// plumbing in infra/blanket.
package maternity

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/barsel"
	"nemrefusion.dk/infra/blanket"
)

// Family is the case family of every parental-leave blanket.
const Family = "parental"

// Delivery kinds of the parental blankets (events.DeliveryKindHasFeedback
// knows them: the employer's and the self-employed's open the feedback loop).
const (
	DeliveryEmployer     = "parental.report"
	DeliverySelfEmployed = "parental.selfemployed.report"
	DeliveryAKasse       = "parental.akasse.information"
)

// Handler decides the parental blankets with one rate table.
type Handler struct {
	// Rates are the maximum rates per year: the sygedagpenge maximum is
	// the barselsdagpenge maximum (DOMAIN.md, Parental leave).
	Rates kernel.Table
	// db is set by SetupRates: decisions and the preview then read the
	// function's copy of the rates (table rates) instead of Rates.
	db querier
	// pipe is the pipeline leaves recomputed are fed back through.
	pipe *blanket.Pipeline
	// Now is the clock for planning reminders (tests); nil means time.Now.
	Now func() time.Time
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Definitions returns the blanket definitions of the parental family, per
// the table of senders and blankets in shared/DOMAIN.md: every one goes to
// Udbetaling Danmark; the employer's and the self-employed's requests give
// the sender feedback; the employer's request and the a-kasse's
// information give the person a notification letter (§ 40 stk. 6: the
// employee is told what the employer reported).
func (h *Handler) Definitions() []blanket.Definition {
	return []blanket.Definition{
		blanket.Define(events.ParentalEmployerReported, rated(h, (*Handler).employer)),
		blanket.Define(events.ParentalSelfEmployedReported, rated(h, (*Handler).selfEmployed)),
		blanket.Define(events.ParentalAKasseReported, rated(h, (*Handler).akasse)),
		blanket.Define(events.ParentalPeriodReported, rated(h, (*Handler).period)),
		blanket.Define(events.ParentalCorrectionSubmitted, rated(h, (*Handler).correction)),
		blanket.Define(events.ParentalCancellationSubmitted, rated(h, (*Handler).cancellation)),
	}
}

// periods converts the blanket's periods (already through CheckDomain).
func periods(in []events.LeavePeriod) []barsel.Period {
	out := make([]barsel.Period, 0, len(in))
	for _, p := range in {
		f, _ := kernel.ParseDate(p.From)
		t, _ := kernel.ParseDate(p.To)
		bp := barsel.Period{From: f, To: t, Kind: p.Kind, HoursAbsent: p.HoursAbsent}
		if p.WagesPaid != nil {
			bp.WagesPaid = kernel.Kroner(*p.WagesPaid)
		}
		out = append(out, bp)
	}
	return out
}

// open finds the leave a request belongs to, or makes a new one.
func open(ctx context.Context, env *blanket.Env, kind, cvr, cpr, pnumber, child string) (barsel.Leave, *blanket.Case, error) {
	key := barsel.Leave{Kind: kind, CVR: cvr, CPR: cpr, ChildDate: child}.Key()
	prior, found, err := env.FindOpen(ctx, key)
	if err != nil {
		return barsel.Leave{}, nil, err
	}
	if found {
		var l barsel.Leave
		if err := json.Unmarshal(prior.State, &l); err != nil {
			return l, nil, fmt.Errorf("leave %s state: %w", prior.ID, err)
		}
		return l, &prior, nil
	}
	id, err := env.NewCaseID(ctx)
	if err != nil {
		return barsel.Leave{}, nil, err
	}
	l, err := barsel.NewLeave(id, kind, cvr, cpr, pnumber, child)
	return l, nil, err
}

// outcome is the part of every parental outcome that does not depend on
// the blanket.
func outcome(l barsel.Leave, prior *blanket.Case, delivery string, notify bool, result events.BlanketResult, rs []kernel.Reason) blanket.Outcome {
	out := blanket.Outcome{
		Case:         blanket.Case{ID: l.ID, Key: l.Key(), Tenant: "cvr:" + l.CVR, Person: l.CPR, Status: l.Status, Version: l.Version},
		New:          prior == nil,
		State:        l,
		FirstDay:     l.FirstAbsenceDay,
		Result:       result,
		Reasons:      rs,
		Delivery:     delivery,
		NotifyPerson: notify,
		PersonKind:   l.Kind,
	}
	if prior != nil {
		out.Case.Recipient, out.Case.Tenant = prior.Recipient, prior.Tenant
	}
	if c, err := ids.ParseCPR(l.CPR); err == nil {
		out.Person = c
	}
	if c, err := ids.ParseCVR(l.CVR); err == nil {
		out.SenderCVR = c
	}
	if p, err := ids.ParsePNumber(l.PNumber); err == nil && prior == nil {
		out.Workplace = p
	}
	return out
}
