package load

import (
	"time"

	"nemrefusion.dk/infra/registers/synth"
)

// employee is one current employment that can be reported sick.
type employee struct {
	cpr, cvr, pnumber string
	since             time.Time
	hours             float64
}

// owner is a self-employed person with their sole proprietorship.
type owner struct{ cpr, cvr, pnumber string }

// member is an a-kasse member.
type member struct {
	cpr, akasse string
	unemployed  bool
}

// population is who the generator reports for.
type population struct {
	employees []employee
	owners    []owner
	members   []member
}

// newPopulation picks from d the current employments (started at least 60
// days before now, at ordinary companies, one per person and company), the
// self-employed and the a-kasse members living in Denmark.
func newPopulation(d *synth.Dataset, now time.Time) population {
	var p population
	ordinary := map[string]bool{}
	for _, c := range d.Companies {
		if c.Owner.IsZero() {
			ordinary[c.CVR.String()] = true
		} else if len(c.PUnits) > 0 {
			p.owners = append(p.owners, owner{cpr: c.Owner.String(), cvr: c.CVR.String(), pnumber: c.PUnits[0].PNumber.String()})
		}
	}
	for _, a := range d.AKasser {
		delete(ordinary, a.CVR.String())
	}
	cutoff := now.AddDate(0, 0, -60)
	seen := map[[2]string]bool{}
	for _, e := range d.Employments {
		key := [2]string{e.CPR.String(), e.CVR.String()}
		if !e.End.IsZero() || e.Start.After(cutoff) || !ordinary[e.CVR.String()] || e.WeeklyHours <= 0 || seen[key] {
			continue
		}
		seen[key] = true
		p.employees = append(p.employees, employee{cpr: e.CPR.String(), cvr: e.CVR.String(), pnumber: e.PNumber.String(), since: e.Start, hours: e.WeeklyHours})
	}
	abroad := map[string]bool{}
	for _, ps := range d.Persons {
		if ps.Residence.Abroad() {
			abroad[ps.CPR.String()] = true
		}
	}
	for _, m := range d.Memberships {
		// An a-kasse report names no workplace, so a member living abroad
		// has no recipient: the report would be rightly rejected.
		if !abroad[m.CPR.String()] {
			p.members = append(p.members, member{cpr: m.CPR.String(), akasse: m.AKasse.String(), unemployed: m.Unemployed})
		}
	}
	return p
}
