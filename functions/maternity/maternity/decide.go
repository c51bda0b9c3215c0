package maternity

import (
	"context"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/barsel"
	"nemrefusion.dk/functions/reminder/plan"
	"nemrefusion.dk/infra/blanket"
)

func (h *Handler) employer(ctx context.Context, env *blanket.Env, r events.ParentalEmployerReport) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	l, prior, err := open(ctx, env, barsel.KindEmployee, r.CVR, r.CPR, r.PNumber, r.ChildDate)
	if err != nil {
		return blanket.Outcome{}, err
	}
	req := barsel.Request{Periods: periods(r.Periods), Earlier: l.Periods, HourlyEarnings: kernel.Kroner(r.HourlyEarnings),
		LeaveContinues: r.LeaveContinues, ReceivedOn: kernel.DateOf(env.ReceivedAt)}
	res, err := barsel.Compute(req, h.Rates)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	l.Add(req.Periods, r.LeaveContinues)
	for _, p := range res.Periods {
		if p.Refusion != nil {
			l.Expected = append(l.Expected, events.ExpectedPeriod{From: p.From.String(), To: p.To.String(), AmountOre: p.Refusion.Ore()})
		}
	}
	if w, ok := rateWait(req, res); ok {
		l.RateWaiting = append(l.RateWaiting, w)
	}
	out := outcome(l, prior, DeliveryEmployer, true, employerResult(l, res), res.Reasons)
	exp := expectation(l, env.ReceivedAt)
	if d := res.NextDeadline; d != nil {
		exp.Deadlines = []events.Deadline{{Kind: "parental-refusion", Date: d.String(),
			TextDa: fmt.Sprintf("Anmod om refusion for resten af orloven senest 8 uger efter, at orlovsperioden er udløbet (tidligst %s).", d.Danish()),
			TextEn: fmt.Sprintf("Request reimbursement for the rest of the leave within 8 weeks after the leave period expires (at the earliest %s).", d.English())}}
		out.Reminders = plan.ParentalLeave(h.now(), l.ID, l.CVR, d.Time())
	} else if prior != nil {
		// The leave is over: the reminders of the next request are moot.
		out.Events = append(out.Events, blanket.Emit{Type: events.ReminderCancelled, Data: events.ReminderCancellation{
			Subject: &events.ReminderSubject{Type: events.SubjectCase, ID: l.ID}, Reason: "leave-ended"}})
	}
	out.Events = append(out.Events, blanket.Emit{Type: events.RefusionExpected, Data: exp})
	return out, nil
}

func (h *Handler) selfEmployed(ctx context.Context, env *blanket.Env, r events.ParentalSelfEmployedReport) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	if err := blanket.OwnCompany(ctx, env.Registers, r.CVR, r.CPR); err != nil {
		return blanket.Outcome{}, err
	}
	l, prior, err := open(ctx, env, barsel.KindSelfEmployed, r.CVR, r.CPR, r.PNumber, r.ChildDate)
	if err != nil {
		return blanket.Outcome{}, err
	}
	return leaveOutcome(l, prior, periods(r.Periods), r.LeaveContinues, DeliverySelfEmployed, false)
}

func (h *Handler) akasse(ctx context.Context, env *blanket.Env, r events.ParentalAKasseReport) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	l, prior, err := open(ctx, env, barsel.KindMember, r.CVR, r.CPR, "", r.ChildDate)
	if err != nil {
		return blanket.Outcome{}, err
	}
	return leaveOutcome(l, prior, periods(r.Periods), false, DeliveryAKasse, true)
}

// leaveOutcome records the periods of a self-employed's request or an
// a-kasse's information: UDK computes their dagpenge itself.
func leaveOutcome(l barsel.Leave, prior *blanket.Case, ps []barsel.Period, continues bool, delivery string, notify bool) (blanket.Outcome, error) {
	if fe := barsel.ValidatePeriods(ps, l.Periods); len(fe) > 0 {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, fe
	}
	l.Add(ps, continues)
	lps := barsel.LeavePeriods(l.Periods, continues)
	rs := []kernel.Reason{{Rule: "barsl-leave-periods", Law: "barselsloven § 40, stk. 3", Source: barsel.SourceBarsel40,
		TextDa: fmt.Sprintf("Perioderne udgør %d orlovsperiode(r); en orlovsperiode slutter, når der har været 1 uge uden fravær. Udbetaling Danmark beregner dagpengene.", len(lps)),
		TextEn: fmt.Sprintf("The periods form %d leave period(s); a leave period ends after a week without absence. Udbetaling Danmark computes the dagpenge.", len(lps)),
		Inputs: map[string]any{"periods": len(l.Periods), "leaveContinues": continues}, Result: lps}}
	return outcome(l, prior, delivery, notify, leaveResult(l, ps, lps), rs), nil
}

func priorID(c *blanket.Case) string {
	if c == nil {
		return ""
	}
	return c.ID
}
