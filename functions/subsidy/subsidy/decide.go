package subsidy

import (
	"context"
	"errors"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/infra/blanket"
)

func (h *Handler) wage(ctx context.Context, env *blanket.Env, r events.SubsidyWageRequest) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	g, prior, err := open(ctx, env, grants.SchemeWage, r.CVR, r.CPR, r.PNumber, r.Agreement.Reference, r.Period)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	month, reason := grants.PaymentMonth(kernel.DateOf(env.ReceivedAt))
	var agreed *kernel.Money
	if r.HourlySubsidy != nil {
		a := kernel.Kroner(*r.HourlySubsidy)
		agreed = &a
	}
	hr, rs := grants.WageSubsidy(r.HoursWorked, kernel.Kroner(r.HourlyWage), kernel.Kroner(r.WagesPaid), agreed)
	hs := subsidyHourly(hr)
	return outcome(g, prior, r.Period, events.SubsidyResult{PaymentMonth: month, Hours: r.HoursWorked, Hourly: &hs}, append([]kernel.Reason{reason}, rs...)), nil
}

// fraction decides the two fraction schemes (flexjob § 133, § 136): the
// amount of the period, capped by the law's ceilings of the year (per hour
// when hours > 0, and what is left of the year's); a year whose cap is not
// in the table is rejected with a field error naming it (never paid
// without its cap).
func (h *Handler) fraction(g grants.Grant, scheme, fraction string, basis kernel.Money, hours float64, p events.DatePeriod) (events.SubsidyResult, []kernel.Reason, grants.Grant, error) {
	year := mustDate(p.From).Year()
	res, rs, err := grants.Fraction(scheme, fraction, basis, hours, year, g.ComputedByYear[year], h.Caps)
	var noCap grants.ErrNoCap
	if errors.As(err, &noCap) {
		return events.SubsidyResult{}, nil, g, grants.NoCapFieldError(noCap, "period.from")
	}
	if err != nil {
		return events.SubsidyResult{}, nil, g, err
	}
	g.Count(year, *res.Amount)
	f := subsidyFraction(res)
	return events.SubsidyResult{Subsidy: &f}, rs, g, nil
}

func (h *Handler) flexjob(ctx context.Context, env *blanket.Env, r events.SubsidyFlexjobRequest) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	g, prior, err := open(ctx, env, grants.SchemeFlexjob, r.CVR, r.CPR, r.PNumber, r.Agreement.Reference, r.Period)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	res, rs, g, err := h.fraction(g, grants.SchemeFlexjob, r.Fraction, kernel.Kroner(r.WagesPaid), r.HoursWorked, r.Period)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	res.Hours = r.HoursWorked
	return outcome(g, prior, r.Period, res, rs), nil
}

func (h *Handler) selfEmployed136(ctx context.Context, env *blanket.Env, r events.SubsidySelfEmployed136Request) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	if err := blanket.OwnCompany(ctx, env.Registers, r.CVR, r.CPR); err != nil {
		return blanket.Outcome{}, err
	}
	g, prior, err := open(ctx, env, grants.SchemeSelfEmployed136, r.CVR, r.CPR, r.PNumber, r.Decision.Reference, r.Period)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	res, rs, g, err := h.fraction(g, grants.SchemeSelfEmployed136, r.Fraction, kernel.Kroner(r.Basis), 0, r.Period)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	return outcome(g, prior, r.Period, res, rs), nil
}

func (h *Handler) jobClarification(ctx context.Context, env *blanket.Env, r events.SubsidyJobClarificationRequest) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	g, prior, err := open(ctx, env, grants.SchemeJobClarification, r.CVR, r.CPR, r.PNumber, r.Decision.Reference, r.Period)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	to := mustDate(r.Period.To)
	from, ok, reason := grants.JobClarificationFrom(mustDate(r.ProcessStart), mustDate(r.Period.From), to, kernel.DateOf(env.ReceivedAt))
	if !ok {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, events.FieldErrors{{Field: "period.to", Code: "too_old",
			Da: fmt.Sprintf("Refusion ydes højst 3 måneder tilbage (LAS § 69 t); perioden slutter før %s.", from.Danish()),
			En: fmt.Sprintf("Reimbursement goes at most 3 months back (LAS § 69 t); the period ends before %s.", from.English())}}
	}
	out := outcome(g, prior, r.Period, events.SubsidyResult{RefusionFrom: from.String(), Hours: r.HoursPaid}, []kernel.Reason{reason})
	// The person is told (executive order § 1 stk. 8 does not exempt LAS
	// § 69 t); the letter names the first day refusion is asked for.
	out.NotifyPerson, out.FirstDay = true, from.String()
	return out, nil
}

func (h *Handler) adultApprentice(ctx context.Context, env *blanket.Env, r events.SubsidyAdultApprenticeRequest) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	month := mustDate(r.Month + "-01")
	p := events.DatePeriod{From: month.String(), To: month.EndOfMonth().String()}
	g, prior, err := open(ctx, env, grants.SchemeAdultApprentice, r.CVR, r.CPR, r.PNumber, r.Decision.Reference, p)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	ok, reason := grants.InArrears(month, kernel.DateOf(env.ReceivedAt))
	if !ok {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, events.FieldErrors{{Field: "month", Code: "not_ended",
			Da: reason.TextDa, En: reason.TextEn}}
	}
	hr, rs, err := grants.AdultApprenticeSubsidy(month, r.Hours, r.Group, h.Rates)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	hs := subsidyHourly(hr)
	return outcome(g, prior, p, events.SubsidyResult{Hours: r.Hours, Hourly: &hs}, append([]kernel.Reason{reason}, rs...)), nil
}

func (h *Handler) mentor(ctx context.Context, env *blanket.Env, r events.SubsidyMentorRequest) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	g, prior, err := open(ctx, env, grants.SchemeMentor, r.CVR, r.CPR, r.PNumber, r.Decision.Reference, r.Period)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, err
	}
	fe, rs := grants.MentorGrant(mustDate(r.Grant.From), mustDate(r.Grant.To), mustDate(r.Period.From), mustDate(r.Period.To), r.RenewalOf)
	if len(fe) > 0 {
		return blanket.Outcome{Case: blanket.Case{ID: priorID(prior)}}, fe
	}
	return outcome(g, prior, r.Period, events.SubsidyResult{Hours: r.MentorHours}, rs), nil
}
