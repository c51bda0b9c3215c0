package maternity

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/barsel"
	"nemrefusion.dk/functions/reminder/plan"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/runtime"
)

// The follow-ups of a leave (events/followups.go): the next request for
// more of the leave, a correction and a cancellation. Each names its leave
// by case id ("absenceId") and is refused unless the leave exists for the
// same sender and is not cancelled.

// StatusCancelled is the status of a leave its sender withdrew: it takes
// no more follow-ups, and a new request for the same child opens a new
// leave.
const StatusCancelled = "cancelled"

// Delivery kinds of the follow-ups' items to Udbetaling Danmark (the next
// request is delivered as the kind of request it is).
const (
	DeliveryCorrection   = "parental.correction"
	DeliveryCancellation = "parental.cancellation"
)

// errUnknownLeave answers a follow-up naming a leave that does not exist or
// belongs to another sender alike, so a sender never learns about another
// sender's cases.
var errUnknownLeave = events.FieldErrors{{Field: "absenceId", Code: "case.unknown",
	Da: "Barselssagen findes ikke hos denne afsender.", En: "The parental leave case does not exist for this sender."}}

var errCancelledLeave = events.FieldErrors{{Field: "absenceId", Code: "case.cancelled",
	Da: "Barselssagen er annulleret og kan ikke følges op.", En: "The parental leave case has been cancelled and takes no follow-ups."}}

// loadLeave loads the leave a follow-up from cvr names.
func loadLeave(ctx context.Context, env *blanket.Env, id, cvr string) (barsel.Leave, *blanket.Case, error) {
	c, ok, err := env.Load(ctx, id)
	if err != nil {
		return barsel.Leave{}, nil, err
	}
	if !ok {
		// The request that opens the leave may still be on its way.
		if pending, err := env.Pending(ctx, id); err != nil || pending {
			return barsel.Leave{}, nil, cmp.Or(err, runtime.Fail(runtime.KindUnavailable, "case-pending",
				"Barselssagen er ved at blive registreret. Prøv igen om lidt.", "The parental leave case is still being registered. Please try again shortly.", nil))
		}
		return barsel.Leave{}, nil, errUnknownLeave
	}
	var l barsel.Leave
	if c.Family != Family {
		return l, nil, errUnknownLeave
	}
	if err := json.Unmarshal(c.State, &l); err != nil {
		return l, nil, fmt.Errorf("leave %s state: %w", id, err)
	}
	if l.CVR != cvr {
		return l, nil, errUnknownLeave
	}
	if l.Status == StatusCancelled {
		return l, &c, errCancelledLeave
	}
	return l, &c, nil
}

// fits checks a follow-up's figures against the leave's kind: only an
// employer's request for an employee's leave has wages per period and
// hourly earnings, and it needs them (barselsloven § 39: the refusion is
// the dagpenge of the hourly earnings, at most the wages paid).
func fits(kind string, ps []events.LeavePeriod, earnings *float64) events.FieldErrors {
	var fe events.FieldErrors
	employee := kind == barsel.KindEmployee
	for i, p := range ps {
		switch {
		case employee && p.WagesPaid == nil:
			fe.Add(fmt.Sprintf("periods.%d.wagesPaid", i), "required", "Den udbetalte løn for perioden skal udfyldes.", "The wages paid for the period are required.")
		case !employee && p.WagesPaid != nil:
			fe.Add(fmt.Sprintf("periods.%d.wagesPaid", i), "not_allowed", "Der oplyses kun løn på en arbejdsgivers anmodning om refusion.", "Wages are given only on an employer's request for refusion.")
		}
	}
	switch {
	case employee && earnings == nil:
		fe.Add("hourlyEarnings", "required", "Timefortjenesten skal udfyldes: refusionen beregnes med den.", "The hourly earnings are required: the reimbursement is computed with them.")
	case !employee && earnings != nil:
		fe.Add("hourlyEarnings", "not_allowed", "Der oplyses kun timefortjeneste på en arbejdsgivers anmodning om refusion.", "Hourly earnings are given only on an employer's request for refusion.")
	}
	return fe
}

// period decides a request for more of a leave: it is the leave's own
// request (the employer's, the self-employed's or the a-kasse's) for the
// new periods, with the leave's person, child and sender, so the same
// rules apply — the deadline of § 40 stk. 2 judged on the day it is
// received, a period already reported refused.
func (h *Handler) period(ctx context.Context, env *blanket.Env, r events.ParentalPeriodReport) (blanket.Outcome, error) {
	l, c, err := loadLeave(ctx, env, r.AbsenceID, r.CVR)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(c)}}, err
	}
	if fe := fits(l.Kind, r.Periods, r.HourlyEarnings); len(fe) > 0 {
		return blanket.Outcome{Case: blanket.Case{ID: c.ID}}, fe
	}
	switch l.Kind {
	case barsel.KindEmployee:
		return h.employer(ctx, env, events.ParentalEmployerReport{CPR: l.CPR, CVR: l.CVR, PNumber: l.PNumber, ChildDate: l.ChildDate,
			HourlyEarnings: *r.HourlyEarnings, Periods: r.Periods, LeaveContinues: r.LeaveContinues})
	case barsel.KindSelfEmployed:
		return h.selfEmployed(ctx, env, events.ParentalSelfEmployedReport{CPR: l.CPR, CVR: l.CVR, PNumber: l.PNumber, ChildDate: l.ChildDate,
			Periods: r.Periods, LeaveContinues: r.LeaveContinues})
	default:
		return h.akasse(ctx, env, events.ParentalAKasseReport{CPR: l.CPR, CVR: l.CVR, ChildDate: l.ChildDate, Periods: r.Periods})
	}
}

// correction decides a correction of a leave: the periods given replace
// every period reported, the hourly earnings and whether the leave goes on
// replace the earlier ones, and for an employee's leave the refusion of
// the whole leave is computed again (barselsloven § 39) as of the day the
// leave was first requested — a correction does not make a request late
// (§ 40 stk. 2) — replacing the refusion expected before.
func (h *Handler) correction(ctx context.Context, env *blanket.Env, r events.ParentalCorrection) (blanket.Outcome, error) {
	l, c, err := loadLeave(ctx, env, r.AbsenceID, r.CVR)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(c)}}, err
	}
	if fe := fits(l.Kind, r.Periods, r.HourlyEarnings); len(fe) > 0 {
		return blanket.Outcome{Case: blanket.Case{ID: c.ID}}, fe
	}
	ps := l.Periods
	if len(r.Periods) > 0 {
		ps = periods(r.Periods)
	}
	continues := l.LeaveContinues
	if r.LeaveContinues != nil {
		continues = *r.LeaveContinues
	}
	why := kernel.Reason{Rule: "barsl-correction", Law: "barselsloven § 40 (rettelse af anmodningen)", Source: barsel.SourceBarsel40,
		TextDa: "Afsenderen har rettet anmodningen: " + r.Explanation + " Det rettede erstatter det tidligere indberettede.",
		TextEn: "The sender corrected the request: " + r.Explanation + " What is corrected replaces what was reported before.",
		Inputs: map[string]any{"explanation": r.Explanation, "periods": len(r.Periods) > 0, "hourlyEarnings": r.HourlyEarnings != nil, "leaveContinues": r.LeaveContinues},
		Result: "corrected"}
	l.Periods = nil
	if l.Kind != barsel.KindEmployee {
		out, err := leaveOutcome(l, c, ps, continues, DeliveryCorrection, false)
		if err != nil {
			return blanket.Outcome{Case: blanket.Case{ID: c.ID}}, err
		}
		out.Reasons = append([]kernel.Reason{why}, out.Reasons...)
		return out, nil
	}
	first, err := firstRequested(ctx, env, l.ID)
	if err != nil {
		return blanket.Outcome{}, err
	}
	req := barsel.Request{Periods: ps, HourlyEarnings: kernel.Kroner(*r.HourlyEarnings), LeaveContinues: continues, ReceivedOn: first}
	res, err := barsel.Compute(req, h.Rates)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: c.ID}}, err
	}
	l.Expected, l.RateWaiting = nil, nil
	l.Add(ps, continues)
	for _, p := range res.Periods {
		if p.Refusion != nil {
			l.Expected = append(l.Expected, events.ExpectedPeriod{From: p.From.String(), To: p.To.String(), AmountOre: p.Refusion.Ore()})
		}
	}
	if w, ok := rateWait(req, res); ok {
		l.RateWaiting = []barsel.RateWait{w}
	}
	out := outcome(l, c, DeliveryCorrection, false, employerResult(l, res), append([]kernel.Reason{why}, res.Reasons...))
	exp := expectation(l, env.ReceivedAt)
	if d := res.NextDeadline; d != nil {
		exp.Deadlines = []events.Deadline{{Kind: "parental-refusion", Date: d.String(),
			TextDa: fmt.Sprintf("Anmod om refusion for resten af orloven senest 8 uger efter, at orlovsperioden er udløbet (tidligst %s).", d.Danish()),
			TextEn: fmt.Sprintf("Request reimbursement for the rest of the leave within 8 weeks after the leave period expires (at the earliest %s).", d.English())}}
		out.Reminders = plan.ParentalLeave(h.now(), l.ID, l.CVR, d.Time())
	} else {
		out.Events = append(out.Events, cancelReminders(l.ID, "leave-ended"))
	}
	out.Events = append(out.Events, blanket.Emit{Type: events.RefusionExpected, Data: exp})
	return out, nil
}

// cancellation withdraws a leave reported in error: it is cancelled, takes
// no more follow-ups and frees its natural key (a new request for the
// child opens a new leave); nothing is expected from Udbetaling Danmark any
// more and the deadline reminders are cancelled.
func (h *Handler) cancellation(ctx context.Context, env *blanket.Env, r events.FollowUpCancellation) (blanket.Outcome, error) {
	l, c, err := loadLeave(ctx, env, r.AbsenceID, r.CVR)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(c)}}, err
	}
	l.Status, l.Expected, l.RateWaiting = StatusCancelled, nil, nil
	l.Version++
	why := kernel.Reason{Rule: "barsl-cancellation", Law: "barselsloven § 40 (anmodningen trukket tilbage)", Source: barsel.SourceBarsel40,
		TextDa: "Afsenderen har annulleret anmodningen: " + r.Explanation, TextEn: "The sender cancelled the request: " + r.Explanation,
		Inputs: map[string]any{"explanation": r.Explanation}, Result: StatusCancelled}
	var result events.BlanketResult = leaveResult(l, l.Periods, barsel.LeavePeriods(l.Periods, false))
	if l.Kind == barsel.KindEmployee {
		result = employerResult(l, barsel.Result{Periods: []barsel.PeriodResult{}, LeavePeriods: []barsel.LeavePeriod{}, Complete: true})
	}
	out := outcome(l, c, DeliveryCancellation, false, result, []kernel.Reason{why})
	out.Case.Key = ""
	out.Events = append(out.Events, cancelReminders(l.ID, "cancelled"))
	if l.Kind == barsel.KindEmployee {
		out.Events = append(out.Events, blanket.Emit{Type: events.RefusionExpected, Data: expectation(l, env.ReceivedAt)})
	}
	return out, nil
}

func cancelReminders(id, reason string) blanket.Emit {
	return blanket.Emit{Type: events.ReminderCancelled, Data: events.ReminderCancellation{
		Subject: &events.ReminderSubject{Type: events.SubjectCase, ID: id}, Reason: reason}}
}

// firstRequested is the day the leave's first request was decided (its
// case was made), in Danish time.
func firstRequested(ctx context.Context, env *blanket.Env, id string) (kernel.Date, error) {
	var at time.Time
	if err := env.Tx.QueryRow(ctx, `SELECT created_at FROM blanket_cases WHERE id = $1`, id).Scan(&at); err != nil {
		return kernel.Date{}, fmt.Errorf("leave %s first request: %w", id, err)
	}
	return kernel.DateOf(at), nil
}
