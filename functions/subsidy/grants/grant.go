package grants

import (
	"errors"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// The schemes besides the two fraction schemes (caps.go), each with its
// delivery kind "subsidy.<scheme>" (events knows them: none opens the
// feedback loop, seeds/000 § 1 stk. 3).
const (
	SchemeWage             = "wage"             // løntilskud, LAB chapter 12
	SchemeJobClarification = "jobclarification" // jobafklaringsforløb, LAS § 69 t
	SchemeAdultApprentice  = "adultapprentice"  // voksenlærling, LAB § 159
	SchemeMentor           = "mentor"           // mentorstøtte, LAB chapter 26
)

// StatusRequested is the status of a grant with at least one request.
const StatusRequested = "requested"

// Grant is the state of one subsidy case: the payments requested under
// one agreement or decision (Reference), for one person, by one sender. It
// is stored as the case's state, so its JSON field names are a stored
// format: renaming one loses the data of every open grant.
type Grant struct {
	ID        string `json:"id"`
	Scheme    string `json:"scheme"`
	CPR       string `json:"cpr"`
	CVR       string `json:"cvr"`
	PNumber   string `json:"pNumber,omitempty"`
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Version   int    `json:"version"`
	// Periods are the periods paid for so far, in the order requested.
	Periods []events.DatePeriod `json:"periods"`
	// ComputedByYear is the subsidy computed per calendar year (the
	// fraction schemes' yearly cap counts it).
	ComputedByYear map[int]kernel.Money `json:"computedByYear,omitempty"`
}

// ErrScheme is returned by NewGrant for a scheme it does not know.
var ErrScheme = errors.New("grant: unknown scheme")

// NewGrant returns the grant of a new case id: the payments of scheme for
// person cpr under the agreement or decision reference, requested by cvr
// from P-unit pnumber ("" when the sender names none), with no periods yet
// and status StatusRequested. It returns ErrScheme for an unknown scheme
// and an error for an empty id, sender, person or reference, which the
// caller has already checked.
func NewGrant(id, scheme, cvr, cpr, pnumber, reference string) (Grant, error) {
	switch scheme {
	case SchemeWage, SchemeFlexjob, SchemeJobClarification, SchemeAdultApprentice, SchemeMentor, SchemeSelfEmployed136:
	default:
		return Grant{}, fmt.Errorf("%w: %q", ErrScheme, scheme)
	}
	if id == "" || cvr == "" || cpr == "" || reference == "" {
		return Grant{}, errors.New("grant: case id, sender, person and reference are required")
	}
	return Grant{ID: id, Scheme: scheme, CPR: cpr, CVR: cvr, PNumber: pnumber, Reference: reference, Status: StatusRequested}, nil
}

// Key identifies an open grant among the cases: one scheme, one sender,
// one person, one agreement or decision.
func (g Grant) Key() string {
	return fmt.Sprintf("%s|%s|%s|%s", g.Scheme, g.CVR, g.CPR, g.Reference)
}

// Overlap returns the period already requested under the grant that
// shares a day with from–to, if any: each day is paid for once.
func (g Grant) Overlap(from, to kernel.Date) (events.DatePeriod, bool) {
	for _, e := range g.Periods {
		ef, _ := kernel.ParseDate(e.From)
		et, _ := kernel.ParseDate(e.To)
		if !from.After(et) && !to.Before(ef) {
			return e, true
		}
	}
	return events.DatePeriod{}, false
}

// Count adds amount to the subsidy computed in year, which the yearly cap
// of the fraction schemes counts against.
func (g *Grant) Count(year int, amount kernel.Money) {
	if g.ComputedByYear == nil {
		g.ComputedByYear = map[int]kernel.Money{}
	}
	g.ComputedByYear[year] += amount
}

// Add records the period of one more request and raises the version.
func (g *Grant) Add(p events.DatePeriod) {
	g.Periods = append(g.Periods, p)
	g.Version++
}
