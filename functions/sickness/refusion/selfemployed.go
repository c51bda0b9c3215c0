package refusion

import (
	"fmt"

	"nemrefusion.dk/functions/kernel"
)

// SelfEmployedEntitlement returns the first day a self-employed person gets
// sygedagpenge from the municipality: after 2 weeks of sickness (the 15th
// day) without insurance, or from the 1st or 3rd absence day with voluntary
// insurance (sygedagpengeloven § 41; DOMAIN.md).
func SelfEmployedEntitlement(first kernel.Date, ins Insurance) (kernel.Date, kernel.Reason) {
	var d kernel.Date
	var da, en string
	switch ins {
	case InsuranceDay1:
		d = first
		da, en = "med frivillig forsikring fra 1. fraværsdag", "with voluntary insurance from the 1st absence day"
	case InsuranceDay3:
		d = first.AddDays(2)
		da, en = "med frivillig forsikring fra 3. fraværsdag", "with voluntary insurance from the 3rd absence day"
	default:
		d = first.AddDays(14)
		da, en = "uden forsikring efter 2 ugers sygdom", "without insurance after 2 weeks of sickness"
	}
	return d, kernel.Reason{
		Rule:   "sdl-selfemployed-entitlement",
		Law:    "sygedagpengeloven § 41 (selvstændige erhvervsdrivende)",
		Source: srcSDL41,
		TextDa: fmt.Sprintf("En selvstændig har ret til sygedagpenge fra kommunen %s, dvs. fra %s.", da, d.Danish()),
		TextEn: fmt.Sprintf("A self-employed person gets sygedagpenge from the municipality %s, i.e. from %s.", en, d.English()),
		Inputs: map[string]any{"firstAbsenceDay": first, "insurance": ins},
		Result: d,
	}
}

// AKasseDays is the number of first sickness days a fully unemployed member
// gets from the a-kasse before the municipality takes over.
const AKasseDays = 14

// AKasseFirstDays returns the period the a-kasse pays for a fully unemployed
// member (the first 14 days of sickness, from and including the first absence
// day) and the first day the municipality can pay sygedagpenge (STAR; DOMAIN.md).
// Sick on a Wednesday in week 1 gives a-kasse days up to and including the
// Tuesday of week 3.
func AKasseFirstDays(first kernel.Date) (from, to, municipalityFrom kernel.Date, r kernel.Reason) {
	from, to = first, first.AddDays(AKasseDays-1)
	municipalityFrom = to.AddDays(1)
	return from, to, municipalityFrom, kernel.Reason{
		Rule:   "akasse-first-14-days",
		Law:    "arbejdsløshedsdagpenge under de første 14 dages sygdom (STAR)",
		Source: srcAKasse,
		TextDa: fmt.Sprintf("A-kassen udbetaler dagpenge under de første 14 dages sygdom (%s–%s); kommunen kan tidligst udbetale sygedagpenge fra %s.", from.Danish(), to.Danish(), municipalityFrom.Danish()),
		TextEn: fmt.Sprintf("The a-kasse pays benefits for the first 14 days of sickness (%s–%s); the municipality can pay sygedagpenge from %s at the earliest.", from.English(), to.English(), municipalityFrom.English()),
		Inputs: map[string]any{"firstAbsenceDay": first},
		Result: map[string]any{"from": from, "to": to, "municipalityFrom": municipalityFrom},
	}
}
