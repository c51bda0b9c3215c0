package barsel

import (
	"errors"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Person kinds of a leave: who the leave is of, which is also who reports
// it (the employer of an employee, the self-employed person, the a-kasse
// of an unemployed member).
const (
	KindEmployee     = "employee"
	KindSelfEmployed = "self-employed"
	KindMember       = "unemployed-member"
)

// StatusRequested is the status of a leave with at least one request.
const StatusRequested = "requested"

// Leave is the state of one parental-leave case: one person's leave for
// one child, as reported by one sender. It is stored as the case's state,
// so its JSON field names are a stored format: renaming one loses the
// data of every open leave.
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
	Periods        []Period `json:"periods"`
	LeaveContinues bool     `json:"leaveContinues"`
	// Expected is the refusion expected per period so far (employer).
	Expected []events.ExpectedPeriod `json:"expected,omitempty"`
	// RateWaiting are the employer's requests whose periods were decided
	// without an amount because their rate year had no maximum rate; they
	// are computed when the rate is known (maternity's recompute).
	RateWaiting []RateWait `json:"rateWaiting,omitempty"`
}

// RateWait is what an employer's request left without an amount for want
// of a maximum rate: its periods without an amount, the leave's other
// periods (for the leave periods and deadlines, § 40), the hourly earnings,
// whether the leave went on, the day it was received and the years
// missing.
type RateWait struct {
	Periods        []Period     `json:"periods"`
	Earlier        []Period     `json:"earlier,omitempty"`
	HourlyEarnings kernel.Money `json:"hourlyEarnings"`
	LeaveContinues bool         `json:"leaveContinues"`
	ReceivedOn     kernel.Date  `json:"receivedOn"`
	Years          []int        `json:"years"`
}

// ErrLeaveKind is returned by NewLeave for a kind that is not KindEmployee,
// KindSelfEmployed or KindMember.
var ErrLeaveKind = errors.New("leave: unknown person kind")

// NewLeave returns the leave of a new case id: the leave of person cpr
// (of kind KindEmployee, KindSelfEmployed or KindMember) for the child born
// or expected on childDate, reported by cvr from P-unit pnumber ("" when
// the sender names none), with no periods yet and status StatusRequested.
// It returns ErrLeaveKind for another kind and an error for an empty id,
// person or sender, which the caller has already checked.
func NewLeave(id, kind, cvr, cpr, pnumber, childDate string) (Leave, error) {
	switch kind {
	case KindEmployee, KindSelfEmployed, KindMember:
	default:
		return Leave{}, fmt.Errorf("%w: %q", ErrLeaveKind, kind)
	}
	if id == "" || cvr == "" || cpr == "" || childDate == "" {
		return Leave{}, errors.New("leave: case id, sender, person and child date are required")
	}
	return Leave{ID: id, Kind: kind, CPR: cpr, CVR: cvr, PNumber: pnumber, ChildDate: childDate, Status: StatusRequested}, nil
}

// Key identifies an open leave among the cases: one person, one sender,
// one child, of one kind.
func (l Leave) Key() string {
	return fmt.Sprintf("%s|%s|%s|%s", l.Kind, l.CVR, l.CPR, l.ChildDate)
}

// Add records the periods of one more request or information on the
// leave: they join the periods reported before, continues says whether
// the leave goes on after the last of them, the version goes up by one,
// and the first day of leave is the earliest day of every period.
func (l *Leave) Add(ps []Period, continues bool) {
	l.Periods = append(l.Periods, ps...)
	l.LeaveContinues = continues
	l.Version++
	var first kernel.Date
	for _, p := range l.Periods {
		if first.IsZero() || p.From.Before(first) {
			first = p.From
		}
	}
	l.FirstAbsenceDay = first.String()
}
