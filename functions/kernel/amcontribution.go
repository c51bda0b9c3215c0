package kernel

// AMContributionPercent is the labour-market contribution (AM-bidrag,
// arbejdsmarkedsbidragsloven § 2) taken from hourly earnings before they
// are compared with the maximum rate, both for sygedagpenge and for
// barselsdagpenge.
const AMContributionPercent = 8

// AfterAMContribution returns earnings less the 8 % AM-bidrag, that is
// earnings × 0.92 rounded half up to whole øre.
func AfterAMContribution(earnings Money) Money {
	return earnings.MulDiv(100-AMContributionPercent, 100)
}
