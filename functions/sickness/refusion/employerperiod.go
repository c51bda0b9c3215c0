package refusion

import (
	"fmt"

	"nemrefusion.dk/functions/kernel"
)

// EmployerPeriodDays is the length of the employer period in calendar days,
// counted from and including the first absence day (§ 30, stk. 1).
const EmployerPeriodDays = 30

// EmploymentWeeks and EmploymentHours are the employment requirement towards
// the employer: 8 weeks without interruption with at least 74 hours (§ 30, stk. 2).
const (
	EmploymentWeeks = 8
	EmploymentHours = 74
)

// EmployerPeriod is the arbejdsgiverperiode: the first days of absence the
// employer pays without refusion. From and To are nil when it does not apply.
type EmployerPeriod struct {
	Applies bool         `json:"applies"`
	From    *kernel.Date `json:"from"`
	To      *kernel.Date `json:"to"`
}

// EmployerPeriodInput is what decides whether there is an employer period.
type EmployerPeriodInput struct {
	FirstAbsenceDay  kernel.Date
	EmployedSince    kernel.Date
	HoursLast8Weeks  *float64
	WeeklyHours      float64
	Section56        bool
	PregnancyRelated bool
	Flexjob          bool
}

// DetermineEmployerPeriod applies the first-day exceptions (flexjob, § 56
// agreement, pregnancy-related sickness), then the employment requirement
// (§ 30, stk. 2), then the 30-day period (§ 30, stk. 1). Inputs are assumed
// valid (Preview validates them first).
func DetermineEmployerPeriod(in EmployerPeriodInput) (EmployerPeriod, []kernel.Reason) {
	if exempt, reasons := FirstDayRefusion(in.Flexjob, in.Section56, in.PregnancyRelated); exempt {
		return EmployerPeriod{}, reasons
	}
	met, reasons := EmploymentRequirementMet(in.FirstAbsenceDay, in.EmployedSince, in.HoursLast8Weeks, in.WeeklyHours)
	if !met {
		return EmployerPeriod{}, reasons
	}
	from, to, r := EmployerPeriodDates(in.FirstAbsenceDay)
	return EmployerPeriod{Applies: true, From: datePtr(from), To: datePtr(to)}, append(reasons, r)
}

// EmployerPeriodDates returns the employer period: 30 calendar days from and
// including the first absence day; holidays and days off inside it do not
// extend it (sygedagpengeloven § 30, stk. 1). First day 4 March 2024 gives
// 4 March–2 April 2024.
func EmployerPeriodDates(first kernel.Date) (from, to kernel.Date, r kernel.Reason) {
	from, to = first, first.AddDays(EmployerPeriodDays-1)
	return from, to, kernel.Reason{
		Rule:   "sdl-30-1",
		Law:    "sygedagpengeloven § 30, stk. 1",
		Source: srcSDL30,
		TextDa: fmt.Sprintf("Arbejdsgiverperioden er de første 30 kalenderdage fra og med første fraværsdag: %s–%s. Helligdage og fridage forlænger den ikke.", from.Danish(), to.Danish()),
		TextEn: fmt.Sprintf("The employer period is the first 30 calendar days from and including the first absence day: %s–%s. Holidays and days off do not extend it.", from.English(), to.English()),
		Inputs: map[string]any{"firstAbsenceDay": first},
		Result: map[string]any{"from": from, "to": to},
	}
}

// EmploymentRequirementMet tells whether the employee meets the employment
// requirement towards the employer (sygedagpengeloven § 30, stk. 2): employed
// 8 weeks without interruption before the first absence day
// (employedSince <= first − 56 days) and at least 74 hours in those 8 weeks.
// When hoursLast8Weeks is nil, the hours are assumed met when weeklyHours × 8
// >= 74, and a reason says so.
func EmploymentRequirementMet(first, employedSince kernel.Date, hoursLast8Weeks *float64, weeklyHours float64) (bool, []kernel.Reason) {
	latestStart := first.AddDays(-7 * EmploymentWeeks)
	longEnough := !employedSince.After(latestStart)
	var reasons []kernel.Reason
	if !longEnough {
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-30-2-weeks",
			Law:    "sygedagpengeloven § 30, stk. 2",
			Source: srcSDL30,
			TextDa: fmt.Sprintf("Medarbejderen har ikke været ansat uafbrudt i 8 uger før første fraværsdag (ansat siden %s; skulle senest være ansat %s). Der er ingen arbejdsgiverperiode, og en arbejdsgiver, der udbetaler løn, kan få refusion fra første fraværsdag.", employedSince.Danish(), latestStart.Danish()),
			TextEn: fmt.Sprintf("The employee has not been employed without interruption for 8 weeks before the first absence day (employed since %s; needed %s at the latest). There is no employer period, and an employer paying wages can get reimbursement from the first absence day.", employedSince.English(), latestStart.English()),
			Inputs: map[string]any{"firstAbsenceDay": first, "employedSince": employedSince},
			Result: false,
		})
		return false, reasons
	}
	var hours float64
	if hoursLast8Weeks == nil {
		hours = weeklyHours * EmploymentWeeks
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-30-2-hours-assumed",
			Law:    "sygedagpengeloven § 30, stk. 2",
			Source: srcSDL30,
			TextDa: fmt.Sprintf("Timer i de 8 uger før fraværet er ikke oplyst; de er anslået som ugentlig arbejdstid × 8 = %.2f timer.", hours),
			TextEn: fmt.Sprintf("Hours in the 8 weeks before the absence were not given; they are estimated as weekly hours × 8 = %.2f hours.", hours),
			Inputs: map[string]any{"weeklyHours": weeklyHours},
			Result: hours,
		})
	} else {
		hours = *hoursLast8Weeks
	}
	met := hours >= EmploymentHours
	r := kernel.Reason{
		Rule:   "sdl-30-2",
		Law:    "sygedagpengeloven § 30, stk. 2",
		Source: srcSDL30,
		Inputs: map[string]any{"firstAbsenceDay": first, "employedSince": employedSince, "hoursLast8Weeks": hours},
		Result: met,
	}
	if met {
		r.TextDa = fmt.Sprintf("Medarbejderen har været ansat uafbrudt i 8 uger med %.2f timer (mindst 74). Arbejdsgiveren betaler arbejdsgiverperioden.", hours)
		r.TextEn = fmt.Sprintf("The employee has been employed without interruption for 8 weeks with %.2f hours (at least 74). The employer pays the employer period.", hours)
	} else {
		r.TextDa = fmt.Sprintf("Medarbejderen har kun arbejdet %.2f timer i de 8 uger før fraværet (kræver 74). Der er ingen arbejdsgiverperiode, og en arbejdsgiver, der udbetaler løn, kan få refusion fra første fraværsdag.", hours)
		r.TextEn = fmt.Sprintf("The employee worked only %.2f hours in the 8 weeks before the absence (74 required). There is no employer period, and an employer paying wages can get reimbursement from the first absence day.", hours)
	}
	return met, append(reasons, r)
}

// FirstDayRefusion tells whether the absence has no employer period because
// of a first-day exception: an employee in flexjob, an absence covered by an
// approved § 56 agreement (chronic or long-lasting illness), or
// pregnancy-related sickness. It returns one reason per exception that applies.
// Sources: sygedagpengeloven § 56 and §§ 54–57 as described in DOMAIN.md.
func FirstDayRefusion(flexjob, section56, pregnancyRelated bool) (bool, []kernel.Reason) {
	var reasons []kernel.Reason
	if flexjob {
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-first-day-flexjob",
			Law:    "sygedagpengeloven §§ 54–57 (refusion fra første fraværsdag, fleksjob)",
			Source: srcFirstDay,
			TextDa: "Medarbejderen er ansat i fleksjob. Der er ingen arbejdsgiverperiode; arbejdsgiveren kan få refusion fra første fraværsdag.",
			TextEn: "The employee is in a flexjob. There is no employer period; the employer can get reimbursement from the first absence day.",
			Inputs: map[string]any{"flexjob": true},
			Result: true,
		})
	}
	if section56 {
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-56",
			Law:    "sygedagpengeloven § 56",
			Source: srcFirstDay,
			TextDa: "Fraværet er omfattet af en godkendt § 56-aftale (kronisk eller langvarig sygdom). Der er ingen arbejdsgiverperiode; arbejdsgiveren kan få refusion fra første fraværsdag.",
			TextEn: "The absence is covered by an approved § 56 agreement (chronic or long-lasting illness). There is no employer period; the employer can get reimbursement from the first absence day.",
			Inputs: map[string]any{"section56": true},
			Result: true,
		})
	}
	if pregnancyRelated {
		reasons = append(reasons, kernel.Reason{
			Rule:   "sdl-first-day-pregnancy",
			Law:    "sygedagpengeloven §§ 54–57 (refusion fra første fraværsdag, graviditetsbetinget sygdom)",
			Source: srcFirstDay2,
			TextDa: "Sygdommen er graviditetsbetinget. Der er ingen arbejdsgiverperiode; arbejdsgiveren kan få refusion fra første fraværsdag.",
			TextEn: "The sickness is pregnancy-related. There is no employer period; the employer can get reimbursement from the first absence day.",
			Inputs: map[string]any{"pregnancyRelated": true},
			Result: true,
		})
	}
	return len(reasons) > 0, reasons
}
