package rules

import (
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/records"
)

// RelationMonths is how far back a relation to a person counts: an
// employer that reported income for the person to eIndkomst in the
// current month or the RelationMonths months before it, or a municipality
// the person lived in during that time, still has business with the person
// (a sickness absence runs for months and is reported after it starts).
const RelationMonths = 13

// RelationPeriod is the eIndkomst period Employs looks at for a relation
// checked at now: from RelationMonths months before now's month to now's
// month.
func RelationPeriod(now time.Time) (from, to records.Month) {
	to = records.MonthOf(now)
	return to.AddMonths(-RelationMonths), to
}

// Employs reports whether employer reported income for the person in
// months (eIndkomst, as read for RelationPeriod): the employment relation
// that lets an employer (or its payroll system) confirm an employee's CPR
// number. A zero employer employs nobody.
func Employs(employer ids.CVR, months []records.IncomeMonth) bool {
	if employer.IsZero() {
		return false
	}
	for _, m := range months {
		if m.Employer == employer {
			return true
		}
	}
	return false
}

// MemberOf reports whether the membership is of the a-kasse akasse.
func MemberOf(akasse ids.CVR, m records.Membership) bool {
	return !akasse.IsZero() && m.AKasse == akasse
}

// ResidentIn reports whether the person lives in municipality m now, or
// lived there at some time since the start of the relation period at now:
// the municipality is the person's case handler (sygedagpengeloven § 2:
// the municipality of residence), also for an absence that began before a
// move. A zero municipality has no residents.
func ResidentIn(p records.Person, m ids.Municipality, now time.Time) bool {
	if m.IsZero() {
		return false
	}
	if p.Residence.Municipality == m {
		return true
	}
	from, _ := RelationPeriod(now)
	since := from.First()
	// History is oldest first; each residence ends the day before the next
	// one starts (the last ends the day before the current one).
	for i, r := range p.History {
		end := p.Residence.From
		if i+1 < len(p.History) {
			end = p.History[i+1].From
		}
		if r.Municipality == m && (end.IsZero() || !end.Before(since)) {
			return true
		}
	}
	return false
}
