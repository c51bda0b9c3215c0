package load

import (
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
)

// parental makes the n-th parental-leave blanket of kind: one week of leave
// from a child's birth 8 to 52 days ago (so the week has passed and its
// deadline, 8 weeks after the leave period, has not; barselsloven § 40
// stk. 2–3), for a current employee (employer), a self-employed person
// reporting for their own company, or an a-kasse member. Every one goes to
// Udbetaling Danmark. Person i, then the same people with a child one day
// earlier: (person, sender, child) never repeats within 45 rounds of the
// population, so no request overlaps an earlier one's periods.
func (g *generator) parental(kind Kind, n int, today time.Time) (string, Tenant, any) {
	pick := func(size int) (int, time.Time) {
		return n % size, today.AddDate(0, 0, -8-(n/size)%45)
	}
	leave := func(child time.Time, hours float64, wages *float64) []events.LeavePeriod {
		to := child.AddDate(0, 0, 6)
		if to.Year() != child.Year() {
			to = time.Date(child.Year(), 12, 31, 0, 0, 0, 0, time.UTC) // a period lies in one year
		}
		kind := events.LeaveBirth
		if n%4 == 3 {
			kind = events.LeavePaternity
		}
		return []events.LeavePeriod{{From: child.Format(time.DateOnly), To: to.Format(time.DateOnly), Kind: kind, HoursAbsent: hours, WagesPaid: wages}}
	}
	years := func(k int) string {
		return time.Date(today.Year()-k, time.Month(1+n%12), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	switch kind {
	case KindParentalEmployer:
		i, child := pick(len(g.pop.employees))
		e := g.pop.employees[i]
		earnings := float64(180 + n%120)
		wages := float64(int(e.hours*earnings + 0.5)) // whole kroner
		return events.ParentalEmployerReported, Tenant{Persona: devissuer.PersonaEmployer, CVR: e.cvr},
			events.ParentalEmployerReport{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber, ChildDate: child.Format(time.DateOnly),
				WeeklyHours: e.hours, HourlyEarnings: earnings, EmployedSince: e.since.Format(time.DateOnly),
				Periods: leave(child, e.hours, &wages), LeaveContinues: true, Contact: events.Contact{Name: "Lønkontoret", Email: "loen@example.invalid"}}
	case KindParentalSelfEmployed:
		i, child := pick(len(g.pop.owners))
		o := g.pop.owners[i]
		return events.ParentalSelfEmployedReported, Tenant{Persona: devissuer.PersonaSelfEmployed, CVR: o.cvr, CPR: o.cpr},
			events.ParentalSelfEmployedReport{CPR: o.cpr, CVR: o.cvr, PNumber: o.pnumber, ChildDate: child.Format(time.DateOnly), WeeklyHours: 37,
				BusinessSince: years(2 + n%15), Periods: leave(child, 37, nil), LeaveContinues: n%2 == 0, Contact: events.Contact{Name: "Indehaver"}}
	default: // KindParentalAKasse
		i, child := pick(len(g.pop.members))
		m := g.pop.members[i]
		insurance, weekly := "full-time", 37.0
		if n%5 == 4 {
			insurance, weekly = "part-time", 30
		}
		return events.ParentalAKasseReported, Tenant{Persona: devissuer.PersonaAKasse, CVR: m.akasse},
			events.ParentalAKasseReport{CPR: m.cpr, CVR: m.akasse, ChildDate: child.Format(time.DateOnly), MemberSince: years(3 + n%20),
				Insurance: insurance, FullyUnemployed: m.unemployed, Periods: leave(child, weekly, nil), Contact: events.Contact{Name: "A-kassen"}}
	}
}
