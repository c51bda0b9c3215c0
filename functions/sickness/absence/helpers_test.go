package absence

import (
	"errors"
	"slices"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/infra/registers"
)

const (
	January   = time.January
	February  = time.February
	March     = time.March
	April     = time.April
	May       = time.May
	June      = time.June
	July      = time.July
	August    = time.August
	October   = time.October
	September = time.September
)

// date reads like the law's examples: date(4, March, 2024).
func date(d int, m time.Month, y int) kernel.Date { return kernel.NewDate(y, m, d) }

const (
	employeeCPR = "1203854321"
	employerCVR = "30000005"
	workplace   = "1000000001"
	absenceID   = "0190f0a2-7c1e-7d3a-9c55-5d6f2f6f8a10"
)

// employee builds an employer's report in plain language:
//
//	sickFrom(date(4, March, 2024)).employedSince(date(1, January, 2020)).reportedOn(date(20, March, 2024)).decide(t)
//
// Unless told otherwise the employer pays wages, the employee earns 200 kr
// an hour for 37 hours a week, has been employed since 2020, and the report
// arrives 16 days after the first absence day.
type employee struct {
	r        events.SicknessEmployerReport
	received kernel.Date
	rates    *kernel.Table
	income   *rules.Result
}

func sickFrom(first kernel.Date) employee {
	return employee{r: events.SicknessEmployerReport{
		CPR: employeeCPR, CVR: employerCVR, PNumber: workplace, FirstAbsenceDay: first.String(),
		WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 200, EmployedSince: "2020-01-01",
		Contact: events.Contact{Name: "Lone Løn"},
	}, received: first.AddDays(16)}
}

func (e employee) until(last kernel.Date) employee      { e.r.LastAbsenceDay = last.String(); return e }
func (e employee) employedSince(d kernel.Date) employee { e.r.EmployedSince = d.String(); return e }
func (e employee) noWages() employee                    { e.r.WagesPaid = false; e.r.HourlyEarnings = 0; return e }
func (e employee) earning(kr float64) employee          { e.r.HourlyEarnings = kr; return e }
func (e employee) inFlexjob() employee                  { e.r.Flexjob = true; return e }
func (e employee) insuredSection55() employee           { e.r.InsuredSection55 = true; return e }
func (e employee) pregnancyRelated() employee           { e.r.PregnancyRelated = true; return e }
func (e employee) reportedOn(d kernel.Date) employee    { e.received = d; return e }
func (e employee) partlyAbsent(hours float64) employee {
	e.r.PartialAbsence = &events.PartialAbsence{HoursPerWeek: hours}
	return e
}
func (e employee) withRates(t kernel.Table) employee  { e.rates = &t; return e }
func (e employee) withIncome(r rules.Result) employee { e.income = &r; return e }
func (e employee) underSection56(ref string) employee {
	e.r.Section56 = &events.Section56Agreement{Reference: ref}
	return e
}
func (e employee) holiday(from, to kernel.Date) employee {
	e.r.Holidays = append(e.r.Holidays, events.DatePeriod{From: from.String(), To: to.String()})
	return e
}

func defaultRates(t *testing.T) kernel.Table {
	t.Helper()
	tab, err := kernel.DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func (e employee) facts(t *testing.T) Facts {
	rates := defaultRates(t)
	if e.rates != nil {
		rates = *e.rates
	}
	return Facts{ReceivedOn: e.received, Rates: rates, Employment: e.income}
}

func (e employee) decide(t *testing.T) Decision {
	t.Helper()
	d, err := ReportByEmployer(absenceID, e.r, e.facts(t))
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	return d
}

func wantReason(t *testing.T, reasons []kernel.Reason, rule string) kernel.Reason {
	t.Helper()
	for _, r := range reasons {
		if r.Rule == rule {
			if r.Law == "" || r.TextDa == "" || r.TextEn == "" {
				t.Fatalf("reason %s lacks law or text: %+v", rule, r)
			}
			return r
		}
	}
	t.Fatalf("no reason %q among %v", rule, ruleIDs(reasons))
	return kernel.Reason{}
}

func ruleIDs(rs []kernel.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Rule
	}
	return out
}

func wantTasks(t *testing.T, d Decision, want ...string) {
	t.Helper()
	if !slices.Equal(d.Effects.Tasks, want) {
		t.Fatalf("tasks = %v, want %v", d.Effects.Tasks, want)
	}
}

func wantReminder(t *testing.T, d Decision, kind string, due kernel.Date) Reminder {
	t.Helper()
	for _, r := range d.Effects.Reminders {
		if r.Kind == kind {
			if r.Due != due {
				t.Fatalf("reminder %s due %s, want %s", kind, r.Due, due)
			}
			return r
		}
	}
	t.Fatalf("no reminder %s among %+v", kind, d.Effects.Reminders)
	return Reminder{}
}

func wantFieldError(t *testing.T, err error, field, code string) {
	t.Helper()
	var fe events.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, e := range fe {
		if e.Field == field && e.Code == code {
			return
		}
	}
	t.Fatalf("no %s:%s in %v", field, code, fe)
}

// income builds eIndkomst months with the given hours, the last one the
// month before the first absence day.
func income(first kernel.Date, hours ...float64) rules.Result {
	to := registers.NewMonth(first.Year(), first.Month()).AddMonths(-1)
	var ms []registers.IncomeMonth
	for i, h := range hours {
		ms = append(ms, registers.IncomeMonth{Month: to.AddMonths(i - len(hours) + 1), Hours: h})
	}
	return rules.EmploymentRequirement(ms, first.Time())
}
