package synth

import (
	"context"
	"fmt"
	"slices"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
)

// Dataset is one generated synthetic Denmark. It is immutable after
// Generate and safe for concurrent use; the exported slices must not be
// modified. Its lookup methods implement registers.PersonRegister,
// registers.CompanyRegister and registers.IncomeRegister and return copies.
type Dataset struct {
	// Config is what the dataset was generated from.
	Config Config
	// Persons holds every person, personas first.
	Persons []registers.Person
	// Companies holds every company: the persona companies, the a-kasser,
	// the ordinary companies and the sole proprietorships of the
	// self-employed.
	Companies []registers.Company
	// AKasser holds the a-kasser (each is also in Companies).
	AKasser []registers.AKasse
	// Memberships holds every a-kasse membership.
	Memberships []registers.Membership
	// Employments holds every employment, current and ended.
	Employments []registers.Employment

	persons     map[ids.CPR]int
	companies   map[ids.CVR]int
	punits      map[ids.PNumber][2]int // company index, unit index
	income      map[ids.CPR][]registers.IncomeMonth
	employments map[ids.CPR][]int
	memberships map[ids.CPR]int
}

var (
	_ registers.PersonRegister  = (*Dataset)(nil)
	_ registers.CompanyRegister = (*Dataset)(nil)
	_ registers.IncomeRegister  = (*Dataset)(nil)

	_ registers.MembershipRegister = (*Dataset)(nil)
)

func (d *Dataset) index() {
	d.persons = make(map[ids.CPR]int, len(d.Persons))
	for i, p := range d.Persons {
		d.persons[p.CPR] = i
	}
	d.companies = make(map[ids.CVR]int, len(d.Companies))
	d.punits = make(map[ids.PNumber][2]int, 2*len(d.Companies))
	for i, c := range d.Companies {
		d.companies[c.CVR] = i
		for j, u := range c.PUnits {
			d.punits[u.PNumber] = [2]int{i, j}
		}
	}
	d.employments = make(map[ids.CPR][]int)
	for i, e := range d.Employments {
		d.employments[e.CPR] = append(d.employments[e.CPR], i)
	}
	d.memberships = make(map[ids.CPR]int, len(d.Memberships))
	for i, m := range d.Memberships {
		d.memberships[m.CPR] = i
	}
}

// Person returns the person with the CPR number, or an error matching
// registers.ErrNotFound.
func (d *Dataset) Person(_ context.Context, cpr ids.CPR) (registers.Person, error) {
	i, ok := d.persons[cpr]
	if !ok {
		return registers.Person{}, fmt.Errorf("person %s: %w", cpr.Pseudonym(), registers.ErrNotFound)
	}
	p := d.Persons[i]
	p.History = slices.Clone(p.History)
	p.Representatives = slices.Clone(p.Representatives)
	return p, nil
}

// Company returns the company with the CVR number, or an error matching
// registers.ErrNotFound.
func (d *Dataset) Company(_ context.Context, cvr ids.CVR) (registers.Company, error) {
	i, ok := d.companies[cvr]
	if !ok {
		return registers.Company{}, fmt.Errorf("company %s: %w", cvr, registers.ErrNotFound)
	}
	c := d.Companies[i]
	c.PUnits = slices.Clone(c.PUnits)
	return c, nil
}

// PUnit returns the production unit with the P-number, or an error
// matching registers.ErrNotFound.
func (d *Dataset) PUnit(_ context.Context, p ids.PNumber) (registers.PUnit, error) {
	ij, ok := d.punits[p]
	if !ok {
		return registers.PUnit{}, fmt.Errorf("p-unit %s: %w", p, registers.ErrNotFound)
	}
	return d.Companies[ij[0]].PUnits[ij[1]], nil
}

// Income returns the person's income months from from to to (both
// included), ordered by month and employer; an unknown person gives an
// error matching registers.ErrNotFound.
func (d *Dataset) Income(ctx context.Context, cpr ids.CPR, from, to registers.Month) ([]registers.IncomeMonth, error) {
	return d.IncomeByEmployer(ctx, cpr, ids.CVR{}, from, to)
}

// IncomeByEmployer is Income limited to one employer; the zero CVR means
// every employer.
func (d *Dataset) IncomeByEmployer(_ context.Context, cpr ids.CPR, employer ids.CVR, from, to registers.Month) ([]registers.IncomeMonth, error) {
	if _, ok := d.persons[cpr]; !ok {
		return nil, fmt.Errorf("income of %s: %w", cpr.Pseudonym(), registers.ErrNotFound)
	}
	out := []registers.IncomeMonth{}
	for _, im := range d.income[cpr] {
		if im.Month.Before(from) || to.Before(im.Month) || (!employer.IsZero() && im.Employer != employer) {
			continue
		}
		out = append(out, im)
	}
	return out, nil
}

// IncomeCount returns the number of income months in the dataset.
func (d *Dataset) IncomeCount() int {
	n := 0
	for _, v := range d.income {
		n += len(v)
	}
	return n
}

// EmploymentsOf returns the person's employments (current and ended).
func (d *Dataset) EmploymentsOf(cpr ids.CPR) []registers.Employment {
	var out []registers.Employment
	for _, i := range d.employments[cpr] {
		out = append(out, d.Employments[i])
	}
	return out
}

// MembershipOf returns the person's a-kasse membership, if any.
func (d *Dataset) MembershipOf(cpr ids.CPR) (registers.Membership, bool) {
	i, ok := d.memberships[cpr]
	if !ok {
		return registers.Membership{}, false
	}
	return d.Memberships[i], true
}

// Membership returns the person's a-kasse membership, or an error matching
// registers.ErrNotFound when the person is no member (or unknown).
func (d *Dataset) Membership(_ context.Context, cpr ids.CPR) (registers.Membership, error) {
	m, ok := d.MembershipOf(cpr)
	if !ok {
		return registers.Membership{}, fmt.Errorf("membership of %s: %w", cpr.Pseudonym(), registers.ErrNotFound)
	}
	return m, nil
}
