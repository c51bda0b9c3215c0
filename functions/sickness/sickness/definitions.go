// Package sickness is the sickness function's handler: the blanket
// definitions of the four sickness blankets and their follow-ups (which
// absence they touch, which register facts they need, and how an
// absence.Decision becomes a blanket.Outcome), and the refusion preview
// endpoint. Rules live in packages absence and refusion; plumbing in
// infra/blanket.
package sickness

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/functions/sickness/absence"
	"nemrefusion.dk/functions/sickness/section56"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// Family is the case family of every sickness blanket.
const Family = "sickness"

// Handler decides the sickness blankets. Once SetupRates has run, every
// decision and preview reads the rates in use from the function's rate
// table (max_rates); before (tests), Rates is the table.
type Handler struct {
	Rates kernel.Table
	// db and pipe are set by SetupRates: the pool the preview reads the
	// rates with, and the pipeline amounts recomputed are fed back through.
	db   querier
	pipe *blanket.Pipeline
	// Section56 is the register of the municipalities' § 56 approvals;
	// nil is the stand-in (section56.StandIn).
	Section56 *section56.Register
}

// Definitions returns the blanket definitions of the sickness family, per
// the table of senders and blankets in shared/DOMAIN.md: reports go to the
// municipality; the employer's and the self-employed's reports give the
// sender feedback; the employer's and the a-kasse's reports (and the early
// follow-up request) give the person a notification letter.
func (h *Handler) Definitions() []blanket.Definition {
	return []blanket.Definition{
		blanket.Define(events.SicknessEmployerReported, rated(h, (*Handler).employer)),
		blanket.Define(events.SicknessSelfEmployedReported, rated(h, (*Handler).selfEmployed)),
		blanket.Define(events.SicknessAKasseReported, rated(h, (*Handler).akasse)),
		blanket.Define(events.SicknessEarlyFollowUpRequested, rated(h, (*Handler).earlyFollowUp)),
		blanket.Define(events.SicknessPeriodReported, rated(h, (*Handler).period)),
		blanket.Define(events.SicknessRecoveryReported, rated(h, (*Handler).recovery)),
		blanket.Define(events.SicknessCorrectionSubmitted, rated(h, (*Handler).correction)),
		blanket.Define(events.SicknessCancellationSubmitted, rated(h, (*Handler).cancellation)),
	}
}

// rated decides with the rates in use when the decision starts: it takes
// the shared rates lock and reads the rate table in the event's transaction
// (before any case is locked), then decides with a Handler holding them.
func rated[T any](h *Handler, decide func(*Handler, context.Context, *blanket.Env, T) (blanket.Outcome, error)) blanket.Decider[T] {
	return func(ctx context.Context, env *blanket.Env, data T) (blanket.Outcome, error) {
		if h.db == nil {
			return decide(h, ctx, env, data)
		}
		tab, err := ratesForDecision(ctx, env.Tx)
		if err != nil {
			return blanket.Outcome{}, err
		}
		hc := *h
		hc.Rates = tab
		return decide(&hc, ctx, env, data)
	}
}

// naturalKey identifies an open absence: the same person, sender and first
// absence day is the same absence; another first day is another absence
// (with its own UUID) even with the same employer.
func naturalKey(a absence.Absence) string {
	if a.Status == absence.StatusCancelled {
		return ""
	}
	return fmt.Sprintf("%s|%s|%s|%s", a.Kind, a.CVR, a.CPR, a.FirstAbsenceDay)
}

func (h *Handler) facts(env *blanket.Env) absence.Facts {
	return absence.Facts{ReceivedOn: kernel.DateOf(env.ReceivedAt), Rates: h.Rates}
}

// employment runs the employment requirement pre-check (§ 32) on eIndkomst
// for the 6 completed months before first. A person eIndkomst does not know
// gives no pre-check (the pipeline rejects an unknown person anyway); a
// register that is down fails the delivery, which the broker retries.
func employment(ctx context.Context, env *blanket.Env, cpr string, first kernel.Date) (*rules.Result, error) {
	c, err := ids.ParseCPR(cpr)
	if err != nil {
		return nil, nil
	}
	to := registers.MonthOf(first.Time()).AddMonths(-1)
	from := to.AddMonths(-(rules.ReferenceMonths - 1))
	income, err := env.Registers.Income(ctx, c, from, to)
	switch {
	case errors.Is(err, registers.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, runtime.Fail(runtime.KindUnavailable, "register-unavailable", "eIndkomst kan ikke nås lige nu.",
			"eIndkomst cannot be reached right now.", err)
	}
	r := rules.EmploymentRequirement(income, time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC))
	return &r, nil
}

// load finds the absence a follow-up names, as the sender may see it.
func load(ctx context.Context, env *blanket.Env, id string) (absence.Absence, blanket.Case, error) {
	c, ok, err := env.Load(ctx, id)
	if err != nil {
		return absence.Absence{}, c, err
	}
	if !ok {
		// The report that opens the absence may still be on its way
		// (accepted by intake, not yet decided here): retry, do not reject.
		if pending, err := env.Pending(ctx, id); err != nil || pending {
			return absence.Absence{}, c, cmp.Or(err, runtime.Fail(runtime.KindUnavailable, "absence-pending",
				"Sygefraværet er ved at blive registreret. Prøv igen om lidt.", "The absence is still being registered. Please try again shortly.", nil))
		}
	}
	if !ok || c.Family != Family {
		return absence.Absence{}, c, absence.ErrUnknownAbsence
	}
	var a absence.Absence
	if err := json.Unmarshal(c.State, &a); err != nil {
		return a, c, fmt.Errorf("absence %s state: %w", id, err)
	}
	return a, c, nil
}
