// Package subsidy is the subsidy function's handler: the blanket
// definitions of the six subsidy blankets (wage subsidy, flexjob subsidy,
// job clarification refusion, adult apprentice subsidy, mentor subsidy and
// the self-employed's § 136 support), how a request finds its grant (case),
// how the rules of package grants become a blanket.Outcome, and the
// preview endpoint. Rules live in package grants; plumbing in infra/blanket.
package subsidy

import (
	"context"
	"encoding/json"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/infra/blanket"
)

// Family is the case family of every subsidy blanket.
const Family = "subsidy"

// Handler decides the subsidy blankets with one table of yearly caps
// (LAB §§ 133 and 136) and one of hourly rates (LAB § 159).
type Handler struct {
	Caps  grants.Caps
	Rates grants.Rates
}

// Definitions returns the blanket definitions of the subsidy family, per
// the table of senders and blankets in shared/DOMAIN.md: every one goes to
// the municipality (its jobcenter) of the person, with no feedback to the
// sender; the sender gets its receipt, and only the job clarification
// request (LAS § 69 t) also the person's notification letter (seeds/000
// § 1 stk. 8 exempts the others).
func (h *Handler) Definitions() []blanket.Definition {
	return []blanket.Definition{
		blanket.Define(events.SubsidyWageRequested, h.wage),
		blanket.Define(events.SubsidyFlexjobRequested, h.flexjob),
		blanket.Define(events.SubsidyJobClarificationRequested, h.jobClarification),
		blanket.Define(events.SubsidyAdultApprenticeRequested, h.adultApprentice),
		blanket.Define(events.SubsidyMentorRequested, h.mentor),
		blanket.Define(events.SubsidySelfEmployed136Requested, h.selfEmployed136),
		blanket.Define(events.SubsidyCorrectionSubmitted, h.correction),
		blanket.Define(events.SubsidyCancellationSubmitted, h.cancellation),
	}
}

func mustDate(s string) kernel.Date {
	d, _ := kernel.ParseDate(s)
	return d
}

// open finds the grant a request belongs to, or makes a new one, and
// refuses a period that overlaps one already requested under it.
func open(ctx context.Context, env *blanket.Env, scheme, cvr, cpr, pnumber, ref string, p events.DatePeriod) (grants.Grant, *blanket.Case, error) {
	prior, found, err := env.FindOpen(ctx, grants.Grant{Scheme: scheme, CVR: cvr, CPR: cpr, Reference: ref}.Key())
	if err != nil {
		return grants.Grant{}, nil, err
	}
	if !found {
		id, err := env.NewCaseID(ctx)
		if err != nil {
			return grants.Grant{}, nil, err
		}
		g, err := grants.NewGrant(id, scheme, cvr, cpr, pnumber, ref)
		return g, nil, err
	}
	var g grants.Grant
	if err := json.Unmarshal(prior.State, &g); err != nil {
		return g, nil, fmt.Errorf("grant %s state: %w", prior.ID, err)
	}
	if e, overlaps := g.Overlap(mustDate(p.From), mustDate(p.To)); overlaps {
		return g, &prior, events.FieldErrors{{Field: "period", Code: "already_requested",
			Da: fmt.Sprintf("Der er allerede anmodet om udbetaling for %s–%s under samme aftale.", e.From, e.To),
			En: fmt.Sprintf("Payment for %s–%s has already been requested under the same agreement.", e.From, e.To)}}
	}
	return g, &prior, nil
}

// outcome turns a decided request into the pipeline's outcome. res is what
// the request tells the municipality (in the delivery) and the ledger: the
// scheme's own figures, to which outcome adds the grant and the period.
func outcome(g grants.Grant, prior *blanket.Case, p events.DatePeriod, res events.SubsidyResult, rs []kernel.Reason) blanket.Outcome {
	g.Add(p)
	res.CaseID, res.Scheme, res.Status, res.Version, res.Period = g.ID, g.Scheme, g.Status, g.Version, p
	out := blanket.Outcome{
		Case:     blanket.Case{ID: g.ID, Key: g.Key(), Tenant: "cvr:" + g.CVR, Person: g.CPR, Status: g.Status, Version: g.Version},
		New:      prior == nil,
		State:    g,
		Result:   res,
		Delivery: "subsidy." + g.Scheme,
		Reasons:  rs,
	}
	if prior != nil {
		out.Case.Recipient, out.Case.Tenant = prior.Recipient, prior.Tenant
	}
	if c, err := ids.ParseCPR(g.CPR); err == nil {
		out.Person = c
	}
	if c, err := ids.ParseCVR(g.CVR); err == nil {
		out.SenderCVR = c
	}
	if pn, err := ids.ParsePNumber(g.PNumber); err == nil && prior == nil {
		out.Workplace = pn
	}
	return out
}

func priorID(c *blanket.Case) string {
	if c == nil {
		return ""
	}
	return c.ID
}
