package subsidy

import (
	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/subsidy/grants"
)

// subsidyFraction is the amount of a fraction scheme (flexjob, § 136) in the
// contract's shape (events.SubsidyFraction): the rules' JSON as it is, so
// the municipality reads the same figures the preview shows; the cap and
// the amount stay absent when the year's cap is unknown.
func subsidyFraction(f grants.FractionResult) events.SubsidyFraction {
	return events.SubsidyFraction{Scheme: f.Scheme, Fraction: f.Fraction, Basis: events.Kroner(f.Basis),
		AmountBeforeCap: events.Kroner(f.AmountBeforeCap), Year: f.Year, PaidThisYear: events.Kroner(f.PaidThisYear),
		HourlyCap: kroner(f.HourlyCap), Cap: kroner(f.Cap), Amount: kroner(f.Amount), CapUnknown: f.CapUnknown}
}

// subsidyHourly is the amount of a per-hour scheme (wage subsidy, adult
// apprentice) in the contract's shape (events.SubsidyHourly).
func subsidyHourly(h grants.HourlyResult) events.SubsidyHourly {
	return events.SubsidyHourly{Scheme: h.Scheme, Hours: h.Hours, WagesOfHours: kroner(h.WagesOfHours), Rate: kroner(h.Rate),
		Amount: kroner(h.Amount), RateUnknown: h.RateUnknown}
}

// kroner is an amount the rules may not have computed (nil stays absent).
func kroner(m *kernel.Money) *events.Kroner {
	if m == nil {
		return nil
	}
	k := events.Kroner(*m)
	return &k
}
