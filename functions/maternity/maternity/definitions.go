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
	"strconv"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/maternity/barsel"
	"nemrefusion.dk/functions/sickness/refusion"
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

// Person kinds of a leave.
const (
	KindEmployee     = "employee"
	KindSelfEmployed = "self-employed"
	KindMember       = "unemployed-member"
)

// StatusRequested is the status of a leave with at least one request.
const StatusRequested = "requested"

// Handler decides the parental blankets with one rate table.
type Handler struct {
	// Rates are the maximum rates per year: the sygedagpenge maximum is
	// the barselsdagpenge maximum (DOMAIN.md, Parental leave).
	Rates refusion.Table
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
		blanket.Define(events.ParentalEmployerReported, h.employer),
		blanket.Define(events.ParentalSelfEmployedReported, h.selfEmployed),
		blanket.Define(events.ParentalAKasseReported, h.akasse),
	}
}

// Leave is the state of one case: one person's leave for one child, as
// reported by one sender.
type Leave struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	CPR       string `json:"cpr"`
	CVR       string `json:"cvr"`
	PNumber   string `json:"pNumber,omitempty"`
	ChildDate string `json:"childDate"`
	Status    string `json:"status"`
	Version   int    `json:"version"`
	// FirstAbsenceDay is the first day of leave reported (the notification
	// letter names it).
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	// Periods are every period reported on the leave, in the order reported.
	Periods        []barsel.Period `json:"periods"`
	LeaveContinues bool            `json:"leaveContinues"`
	// Expected is the refusion expected per period so far (employer).
	Expected []events.ExpectedPeriod `json:"expected,omitempty"`
}

// naturalKey identifies an open leave: one person, one sender, one child.
func naturalKey(kind, cvr, cpr, child string) string {
	return fmt.Sprintf("%s|%s|%s|%s", kind, cvr, cpr, child)
}

// kroner converts a schema-checked amount in kroner (at most two
// decimals) to Money exactly.
func kroner(v float64) refusion.Money {
	m, err := refusion.ParseKr(strconv.FormatFloat(v, 'f', 2, 64))
	if err != nil {
		return 0
	}
	return m
}

// periods converts the blanket's periods (already through CheckDomain).
func periods(in []events.LeavePeriod) []barsel.Period {
	out := make([]barsel.Period, 0, len(in))
	for _, p := range in {
		f, _ := refusion.ParseDate(p.From)
		t, _ := refusion.ParseDate(p.To)
		bp := barsel.Period{From: f, To: t, Kind: p.Kind, HoursAbsent: p.HoursAbsent}
		if p.WagesPaid != nil {
			bp.WagesPaid = kroner(*p.WagesPaid)
		}
		out = append(out, bp)
	}
	return out
}

func firstDay(ps []barsel.Period) string {
	var first refusion.Date
	for _, p := range ps {
		if first.IsZero() || p.From.Before(first) {
			first = p.From
		}
	}
	return first.String()
}

// open finds the leave a request belongs to, or makes a new one.
func open(ctx context.Context, env *blanket.Env, kind, cvr, cpr, pnumber, child string) (Leave, *blanket.Case, error) {
	key := naturalKey(kind, cvr, cpr, child)
	prior, found, err := env.FindOpen(ctx, key)
	if err != nil {
		return Leave{}, nil, err
	}
	if found {
		var l Leave
		if err := json.Unmarshal(prior.State, &l); err != nil {
			return l, nil, fmt.Errorf("leave %s state: %w", prior.ID, err)
		}
		return l, &prior, nil
	}
	id, err := env.NewCaseID(ctx)
	if err != nil {
		return Leave{}, nil, err
	}
	return Leave{ID: id, Kind: kind, CPR: cpr, CVR: cvr, PNumber: pnumber, ChildDate: child, Status: StatusRequested}, nil, nil
}

// reasons converts the rules' reasons for the pipeline.
func reasons(rs []refusion.Reason) []events.Reason {
	out := make([]events.Reason, 0, len(rs))
	for _, r := range rs {
		out = append(out, events.Reason{Rule: r.Rule, Law: r.Law, Source: r.Source, TextDa: r.TextDa, TextEn: r.TextEn, Inputs: r.Inputs, Result: r.Result})
	}
	return out
}

// outcome is the part of every parental outcome that does not depend on
// the blanket.
func outcome(l Leave, prior *blanket.Case, delivery string, notify bool, result any, rs []refusion.Reason) blanket.Outcome {
	out := blanket.Outcome{
		Case:         blanket.Case{ID: l.ID, Key: naturalKey(l.Kind, l.CVR, l.CPR, l.ChildDate), Tenant: "cvr:" + l.CVR, Person: l.CPR, Status: l.Status, Version: l.Version},
		New:          prior == nil,
		State:        l,
		FirstDay:     l.FirstAbsenceDay,
		Result:       result,
		Reasons:      reasons(rs),
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
