package refusion

import (
	"fmt"

	"nemrefusion.dk/functions/kernel"
)

// Section55FirstRefusionDay is the absence day from which an employer
// insured under sygedagpengeloven § 55 gets refusion: the employee's 2nd.
const Section55FirstRefusionDay = 2

// Section55RefusionFrom is the first day refusion can run for an employer
// holding the small private employers' sickness insurance
// (sygedagpengeloven § 55): the employee's 2nd absence day instead of the
// day after the employer period ep (which must apply: an absence without an
// employer period already gives refusion from the 1st day). The rules for
// reporting and requesting are otherwise the same, so the report deadline
// and the late-report rules (§§ 40, 59) still follow the employer period.
// Sources: albertslund.dk and glostrup.dk, as DOMAIN.md lists them.
func Section55RefusionFrom(first kernel.Date, ep EmployerPeriod) (kernel.Date, kernel.Reason) {
	from := first.AddDays(Section55FirstRefusionDay - 1)
	instead := first.AddDays(EmployerPeriodDays)
	if ep.To != nil {
		instead = ep.To.AddDays(1)
	}
	return from, kernel.Reason{
		Rule:   "sdl-55",
		Law:    "sygedagpengeloven § 55",
		Source: srcSDL55,
		TextDa: fmt.Sprintf("Arbejdsgiveren er forsikret efter § 55 (mindre private arbejdsgivere) og kan få refusion fra medarbejderens 2. fraværsdag, %s, i stedet for efter arbejdsgiverperioden (%s). Reglerne for anmeldelse og anmodning er de samme. Se også %s.", from.Danish(), instead.Danish(), srcSDL55b),
		TextEn: fmt.Sprintf("The employer is insured under § 55 (small private employers) and can get reimbursement from the employee's 2nd absence day, %s, instead of after the employer period (%s). The rules for reporting and requesting are the same. See also %s.", from.English(), instead.English(), srcSDL55b),
		Inputs: map[string]any{"insuredSection55": true, "firstAbsenceDay": first, "employerPeriod": ep},
		Result: from,
	}
}
