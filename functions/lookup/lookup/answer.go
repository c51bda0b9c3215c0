package lookup

import (
	"context"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
)

// fetch reads what q asks for. Errors match registers.ErrNotFound or
// registers.ErrUnavailable, or are unexpected.
func (s *Service) fetch(ctx context.Context, q query) (events.LookupAnswer, error) {
	a := events.LookupAnswer{Kind: q.kind}
	switch q.kind {
	case events.LookupPerson:
		p, err := s.cache.Person(ctx, q.cpr)
		if err != nil {
			return a, err
		}
		a.Person = personData(p)
	case events.LookupCompany:
		c, err := s.cache.Company(ctx, q.cvr)
		if err != nil {
			return a, err
		}
		a.Company = companyData(c)
	case events.LookupPUnit:
		u, err := s.cache.PUnit(ctx, q.pn)
		if err != nil {
			return a, err
		}
		d := punitData(u)
		a.PUnit = &d
	case events.LookupIncome:
		months, err := s.cache.Income(ctx, q.cpr, q.from, q.to)
		if err != nil {
			return a, err
		}
		a.Income = incomeData(q, months)
	default:
		return a, fmt.Errorf("lookup: unknown kind %q", q.kind)
	}
	return a, nil
}

func address(a registers.Address) events.LookupAddress {
	return events.LookupAddress{Street: a.Street, PostalCode: a.PostalCode, City: a.City, Country: a.Country}
}

func municipality(m ids.Municipality) events.LookupMunicipality {
	return events.LookupMunicipality{Number: m.Number(), Name: m.Name()}
}

func personData(p registers.Person) *events.LookupPersonData {
	d := &events.LookupPersonData{
		CPR: p.CPR.String(), Name: p.Name, Address: address(p.Address),
		DigitalPost:       events.LookupDigitalPost{Exempt: p.DigitalPostExempt},
		NemSMS:            events.LookupNemSMS{SignedUp: p.NemSMS != "", Phone: p.NemSMS},
		PreferredLanguage: p.PreferredLanguage,
	}
	if p.Residence.Abroad() {
		d.AbroadCountry = p.Residence.Country
	} else {
		m := municipality(p.Residence.Municipality)
		d.Municipality = &m
	}
	if !p.Residence.From.IsZero() {
		d.ResidentSince = p.Residence.From.Format("2006-01-02")
	}
	for _, r := range p.Representatives {
		d.Representatives = append(d.Representatives, events.LookupRepresentative{CPR: r.CPR.String(), Kind: r.Kind})
	}
	return d
}

func punitData(u registers.PUnit) events.LookupPUnitData {
	return events.LookupPUnitData{PNumber: u.PNumber.String(), CVR: u.CVR.String(), Name: u.Name,
		Address: address(u.Address), Municipality: municipality(u.Municipality)}
}

func companyData(c registers.Company) *events.LookupCompanyData {
	d := &events.LookupCompanyData{CVR: c.CVR.String(), Name: c.Name, Form: c.Form, Address: address(c.Address),
		SoleProprietorship: !c.Owner.IsZero(), PUnits: make([]events.LookupPUnitData, 0, len(c.PUnits))}
	for _, u := range c.PUnits {
		d.PUnits = append(d.PUnits, punitData(u))
	}
	return d
}

func incomeData(q query, months []registers.IncomeMonth) *events.LookupIncomeData {
	d := &events.LookupIncomeData{CPR: q.cpr.String(), From: q.from.String(), To: q.to.String(),
		Months: make([]events.LookupIncomeMonth, 0, len(months))}
	for _, m := range months {
		d.Months = append(d.Months, events.LookupIncomeMonth{Month: m.Month.String(), Employer: m.Employer.String(),
			Hours: m.Hours, AMIncomeOre: m.AMIncomeOre})
	}
	return d
}
