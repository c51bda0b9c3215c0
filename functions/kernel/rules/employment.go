package rules

import (
	"fmt"
	"math"
	"strings"
	"time"

	"nemrefusion.dk/functions/kernel/records"
)

// The employment requirement of sygedagpengeloven § 32 stk. 1 nr. 1.
const (
	// ReferenceMonths is the number of completed calendar months looked at.
	ReferenceMonths = 6
	// RequiredTotalHours is the minimum total over those months.
	RequiredTotalHours = 240
	// RequiredMonthlyHours is the minimum a month needs to count.
	RequiredMonthlyHours = 40
	// RequiredMonths is how many months need RequiredMonthlyHours.
	RequiredMonths = 5

	// ReferenceEmployment names the rule; SourceEmployment is its URL.
	ReferenceEmployment = "sygedagpengeloven § 32 stk. 1 nr. 1"
	SourceEmployment    = "https://elov.dk/sygedagpengeloven/32/"
)

// Check identifiers in a Result.
const (
	CheckTotalHours  = "employment.total-hours"  // at least 240 hours in total
	CheckMonthsOf40  = "employment.months-of-40" // at least 40 hours in at least 5 months
	CheckIncomeFound = "employment.income-found" // eIndkomst has income in the period at all
)

// MonthHours is the hours of one reference month, summed over employers.
type MonthHours struct {
	Month records.Month `json:"month"`
	Hours float64       `json:"hours"`
	// AtLeast40 is true when the month counts towards the 5 months.
	AtLeast40 bool `json:"atLeast40"`
	// Employers is how many employers reported hours that month.
	Employers int `json:"employers"`
}

// Check is one part of the rule and its outcome.
type Check struct {
	Rule   string `json:"rule"`
	Passed bool   `json:"passed"`
	TextDa string `json:"textDa"`
	TextEn string `json:"textEn"`
}

// Result is the outcome of the employment requirement pre-check, with
// everything needed to explain it.
type Result struct {
	// Passed is true when every check passed. It is a pre-check only: the
	// municipality decides, and other numbers of § 32 stk. 1 (for example
	// a right to unemployment benefits) may meet the requirement too.
	Passed          bool      `json:"passed"`
	FirstAbsenceDay time.Time `json:"firstAbsenceDay"`
	// From and To are the first and last reference month.
	From records.Month `json:"from"`
	To   records.Month `json:"to"`
	// Months holds the six reference months, oldest first.
	Months              []MonthHours `json:"months"`
	TotalHours          float64      `json:"totalHours"`
	MonthsWithAtLeast40 int          `json:"monthsWithAtLeast40"`
	// NoIncome is true when eIndkomst had no income in the period at all.
	NoIncome  bool    `json:"noIncome"`
	Checks    []Check `json:"checks"`
	Reference string  `json:"reference"`
	Source    string  `json:"source"`
	TextDa    string  `json:"textDa"`
	TextEn    string  `json:"textEn"`
}

// EmploymentRequirement checks the employment requirement towards the
// municipality (beskæftigelseskravet, sygedagpengeloven § 32 stk. 1 nr. 1,
// https://elov.dk/sygedagpengeloven/32/): at least 240 hours in the last 6
// completed calendar months before the first absence day, and at least 40
// hours in each of at least 5 of those months. Hours are eIndkomst field
// 200 summed over all employers per month.
//
// income must be one person's income months; months outside the reference
// period are ignored. firstAbsenceDay is read as a calendar day in its own
// location (pass Danish time).
func EmploymentRequirement(income []records.IncomeMonth, firstAbsenceDay time.Time) Result {
	to := records.MonthOf(firstAbsenceDay).AddMonths(-1)
	from := to.AddMonths(-(ReferenceMonths - 1))
	r := Result{
		FirstAbsenceDay: firstAbsenceDay,
		From:            from,
		To:              to,
		Months:          make([]MonthHours, ReferenceMonths),
		Reference:       ReferenceEmployment,
		Source:          SourceEmployment,
	}
	// Sum in hundredths of an hour so that 0.1+0.2-style float error never
	// moves a person across a threshold.
	var cents [ReferenceMonths]int64
	employers := [ReferenceMonths]map[string]bool{}
	for i := range r.Months {
		r.Months[i].Month = from.AddMonths(i)
	}
	found := false
	for _, im := range income {
		if im.Month.Before(from) || to.Before(im.Month) {
			continue
		}
		i := monthsBetween(from, im.Month)
		cents[i] += int64(math.Round(im.Hours * 100))
		if employers[i] == nil {
			employers[i] = map[string]bool{}
		}
		employers[i][im.Employer.String()] = true
		found = true
	}
	var total int64
	for i := range r.Months {
		r.Months[i].Hours = float64(cents[i]) / 100
		r.Months[i].AtLeast40 = cents[i] >= RequiredMonthlyHours*100
		r.Months[i].Employers = len(employers[i])
		if r.Months[i].AtLeast40 {
			r.MonthsWithAtLeast40++
		}
		total += cents[i]
	}
	r.TotalHours = float64(total) / 100
	r.NoIncome = !found

	period := func(da bool) string {
		if da {
			return monthDa(from) + "–" + monthDa(to)
		}
		return monthEn(from) + "–" + monthEn(to)
	}
	totalOK := total >= RequiredTotalHours*100
	monthsOK := r.MonthsWithAtLeast40 >= RequiredMonths
	if r.NoIncome {
		r.Checks = append(r.Checks, Check{Rule: CheckIncomeFound, Passed: false,
			TextDa: fmt.Sprintf("eIndkomst har ingen indkomst for personen i %s.", period(true)),
			TextEn: fmt.Sprintf("eIndkomst has no income for the person in %s.", period(false))})
	}
	r.Checks = append(r.Checks,
		Check{Rule: CheckTotalHours, Passed: totalOK,
			TextDa: fmt.Sprintf("%s timer i alt i %s; kravet er mindst %d timer: %s.",
				hoursDa(r.TotalHours), period(true), RequiredTotalHours, okDa(totalOK)),
			TextEn: fmt.Sprintf("%s hours in total in %s; at least %d hours are required: %s.",
				hoursEn(r.TotalHours), period(false), RequiredTotalHours, okEn(totalOK))},
		Check{Rule: CheckMonthsOf40, Passed: monthsOK,
			TextDa: fmt.Sprintf("%d af %d måneder har mindst %d timer (%s); kravet er mindst %d måneder: %s.",
				r.MonthsWithAtLeast40, ReferenceMonths, RequiredMonthlyHours, r.perMonth(true), RequiredMonths, okDa(monthsOK)),
			TextEn: fmt.Sprintf("%d of %d months have at least %d hours (%s); at least %d months are required: %s.",
				r.MonthsWithAtLeast40, ReferenceMonths, RequiredMonthlyHours, r.perMonth(false), RequiredMonths, okEn(monthsOK))},
	)
	r.Passed = totalOK && monthsOK && !r.NoIncome

	var da, en strings.Builder
	if r.Passed {
		fmt.Fprintf(&da, "Beskæftigelseskravet (%s) ser ud til at være opfyldt for første fraværsdag %s.", ReferenceEmployment, dateDa(firstAbsenceDay))
		fmt.Fprintf(&en, "The employment requirement (%s) appears to be met for the first day of absence %s.", ReferenceEmployment, dateEn(firstAbsenceDay))
	} else {
		fmt.Fprintf(&da, "Beskæftigelseskravet (%s) ser ikke ud til at være opfyldt for første fraværsdag %s. Kommunen træffer afgørelsen; kravet kan også være opfyldt på anden måde efter § 32.", ReferenceEmployment, dateDa(firstAbsenceDay))
		fmt.Fprintf(&en, "The employment requirement (%s) does not appear to be met for the first day of absence %s. The municipality decides; the requirement may also be met in other ways under § 32.", ReferenceEmployment, dateEn(firstAbsenceDay))
	}
	for _, c := range r.Checks {
		da.WriteString(" " + c.TextDa)
		en.WriteString(" " + c.TextEn)
	}
	r.TextDa, r.TextEn = da.String(), en.String()
	return r
}

func (r Result) perMonth(da bool) string {
	parts := make([]string, len(r.Months))
	for i, m := range r.Months {
		if da {
			parts[i] = monthDa(m.Month) + ": " + hoursDa(m.Hours)
		} else {
			parts[i] = monthEn(m.Month) + ": " + hoursEn(m.Hours)
		}
	}
	return strings.Join(parts, ", ")
}

func monthsBetween(a, b records.Month) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

func okDa(ok bool) string {
	if ok {
		return "opfyldt"
	}
	return "ikke opfyldt"
}

func okEn(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}
