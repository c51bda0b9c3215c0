// Package reconcile compares, per period, the refusion a sender expected
// (the blanket function's preview) with what the recipient decided and paid,
// and flags every difference (seeds/000 § 1 stk. 3: the sender reconciles
// the refusion it receives). It is pure: no I/O.
package reconcile

import (
	"sort"
)

// Period is a closed date range "YYYY-MM-DD".."YYYY-MM-DD"; periods are
// matched exactly (the recipient decides and pays per the periods it was
// asked for; a period cut differently shows as unexpected plus missing).
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Expected is one period of expected refusion.
type Expected struct {
	Period
	AmountOre int64
}

// Decision is one decision of the recipient. A refused decision covers its
// periods with amount 0 and carries the reason.
type Decision struct {
	ID        string
	DecidedOn string
	Refused   bool
	Reason    string
	Periods   []Expected
}

// Payment is one payment.
type Payment struct {
	Reference string
	Period
	AmountOre int64
	PaidOn    string
}

// Flag codes. Every difference between expected, decided and paid gets one.
const (
	// FlagDecidedDiffers: the decided amount differs from the expected.
	FlagDecidedDiffers = "decided-differs-from-expected"
	// FlagPaidDiffers: the paid amount differs from the decided.
	FlagPaidDiffers = "paid-differs-from-decided"
	// FlagRefused: the period was refused.
	FlagRefused = "refused"
	// FlagNotExpected: decided or paid for a period nobody expected.
	FlagNotExpected = "not-expected"
	// FlagPaidWithoutDecision: paid before (or without) a decision.
	FlagPaidWithoutDecision = "paid-without-decision"
)

// Status of a period.
const (
	StatusAwaitingDecision = "awaiting-decision"
	StatusAwaitingPayment  = "awaiting-payment"
	StatusSettled          = "settled"
	StatusRefused          = "refused"
)

// Flag is one difference, with the amount it is off by (decided − expected
// or paid − decided, in øre; the expected or decided amount when the other
// side is missing).
type Flag struct {
	Code          string `json:"code"`
	DifferenceOre int64  `json:"differenceOre"`
	DecisionID    string `json:"decisionId,omitempty"`
	RefusalReason string `json:"refusalReason,omitempty"`
}

// Line is the reconciliation of one period.
type Line struct {
	Period
	ExpectedOre *int64   `json:"expectedOre"`
	DecidedOre  *int64   `json:"decidedOre"`
	PaidOre     int64    `json:"paidOre"`
	DecisionID  string   `json:"decisionId,omitempty"`
	Payments    []string `json:"payments,omitempty"`
	Status      string   `json:"status"`
	Flags       []Flag   `json:"flags"`
}

// Result is the reconciliation of an absence.
type Result struct {
	Lines       []Line `json:"periods"`
	ExpectedOre int64  `json:"expectedOre"`
	DecidedOre  int64  `json:"decidedOre"`
	PaidOre     int64  `json:"paidOre"`
	// Differences counts the flags over all lines.
	Differences int `json:"differences"`
}

// Reconcile builds the reconciliation. For each period the newest decision
// covering it counts (by DecidedOn, then by order given); payments to a
// period add up.
func Reconcile(expected []Expected, decisions []Decision, payments []Payment) Result {
	lines := map[Period]*Line{}
	line := func(p Period) *Line {
		l, ok := lines[p]
		if !ok {
			l = &Line{Period: p, Flags: []Flag{}}
			lines[p] = l
		}
		return l
	}
	for _, e := range expected {
		l := line(e.Period)
		v := e.AmountOre
		if l.ExpectedOre != nil {
			v += *l.ExpectedOre
		}
		l.ExpectedOre = &v
	}
	ds := append([]Decision(nil), decisions...)
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].DecidedOn < ds[j].DecidedOn })
	refused := map[Period]Decision{}
	for _, d := range ds {
		for _, p := range d.Periods {
			l := line(p.Period)
			v := p.AmountOre
			if d.Refused {
				v = 0
				refused[p.Period] = d
			} else {
				delete(refused, p.Period)
			}
			l.DecidedOre, l.DecisionID = &v, d.ID
		}
	}
	for _, p := range payments {
		l := line(p.Period)
		l.PaidOre += p.AmountOre
		l.Payments = append(l.Payments, p.Reference)
	}
	var r Result
	for _, l := range lines {
		d, isRefused := refused[l.Period]
		switch {
		case l.ExpectedOre == nil:
			amount := l.PaidOre
			if l.DecidedOre != nil {
				amount = *l.DecidedOre
			}
			l.Flags = append(l.Flags, Flag{Code: FlagNotExpected, DifferenceOre: amount, DecisionID: l.DecisionID})
		case isRefused:
			l.Flags = append(l.Flags, Flag{Code: FlagRefused, DifferenceOre: -*l.ExpectedOre, DecisionID: d.ID, RefusalReason: d.Reason})
		case l.DecidedOre != nil && *l.DecidedOre != *l.ExpectedOre:
			l.Flags = append(l.Flags, Flag{Code: FlagDecidedDiffers, DifferenceOre: *l.DecidedOre - *l.ExpectedOre, DecisionID: l.DecisionID})
		}
		switch {
		case l.DecidedOre == nil && l.PaidOre != 0:
			l.Flags = append(l.Flags, Flag{Code: FlagPaidWithoutDecision, DifferenceOre: l.PaidOre})
		case l.DecidedOre != nil && len(l.Payments) > 0 && l.PaidOre != *l.DecidedOre:
			l.Flags = append(l.Flags, Flag{Code: FlagPaidDiffers, DifferenceOre: l.PaidOre - *l.DecidedOre, DecisionID: l.DecisionID})
		}
		switch {
		case isRefused:
			l.Status = StatusRefused
		case l.DecidedOre == nil:
			l.Status = StatusAwaitingDecision
		case *l.DecidedOre > 0 && (len(l.Payments) == 0 || l.PaidOre < *l.DecidedOre):
			l.Status = StatusAwaitingPayment
		default:
			l.Status = StatusSettled
		}
		if l.ExpectedOre != nil {
			r.ExpectedOre += *l.ExpectedOre
		}
		if l.DecidedOre != nil {
			r.DecidedOre += *l.DecidedOre
		}
		r.PaidOre += l.PaidOre
		r.Differences += len(l.Flags)
		r.Lines = append(r.Lines, *l)
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		if r.Lines[i].From != r.Lines[j].From {
			return r.Lines[i].From < r.Lines[j].From
		}
		return r.Lines[i].To < r.Lines[j].To
	})
	return r
}
