package rules

import (
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/records"
)

var (
	testCPR  = ids.MustCPR("0101901234")
	employer = ids.MustCVR("24256790")
	other    = ids.MustCVR("10150817")
)

// months builds income from one employer: hours[i] is month start+i.
func months(start records.Month, hours ...float64) []records.IncomeMonth {
	out := make([]records.IncomeMonth, len(hours))
	for i, h := range hours {
		out[i] = records.IncomeMonth{CPR: testCPR, Employer: employer, Month: start.AddMonths(i), Hours: h, AMIncomeOre: int64(h * 20000)}
	}
	return out
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Every case follows sygedagpengeloven § 32 stk. 1 nr. 1
// (https://elov.dk/sygedagpengeloven/32/): at least 240 hours in the last 6
// completed calendar months before the first absence day, and at least 40
// hours in each of at least 5 of them.
func TestEmploymentRequirement(t *testing.T) {
	t.Parallel()
	jan := records.NewMonth(2024, time.January)
	july10 := day(2024, time.July, 10)
	tests := []struct {
		name       string
		income     []records.IncomeMonth
		first      time.Time
		passed     bool
		total      float64
		months40   int
		from, to   string
		failed     []string // the checks that must fail
		noIncome   bool
		monthHours []float64 // optional: expected hours per reference month
	}{
		{name: "§32 stk.1 nr.1: six full-time months pass", income: months(jan, 160, 160, 160, 160, 160, 160),
			first: july10, passed: true, total: 960, months40: 6, from: "2024-01", to: "2024-06"},
		{name: "§32 stk.1 nr.1: exactly 240 hours with 40 in every month passes", income: months(jan, 40, 40, 40, 40, 40, 40),
			first: july10, passed: true, total: 240, months40: 6},
		{name: "§32 stk.1 nr.1: 239 hours fails", income: months(jan, 40, 40, 40, 40, 40, 39),
			first: july10, total: 239, months40: 5, failed: []string{CheckTotalHours}},
		{name: "§32 stk.1 nr.1: 239.99 hours fails", income: months(jan, 40, 40, 40, 40, 40, 39.99),
			first: july10, total: 239.99, months40: 5, failed: []string{CheckTotalHours}},
		{name: "§32 stk.1 nr.1: 5 months of 40 hours and one empty month is only 200 hours and fails", income: months(jan, 40, 40, 40, 40, 40, 0),
			first: july10, total: 200, months40: 5, failed: []string{CheckTotalHours}},
		{name: "§32 stk.1 nr.1: at least 40 hours in 5 of 6 months is enough", income: months(jan, 100, 100, 0, 100, 100, 100),
			first: july10, passed: true, total: 500, months40: 5},
		{name: "§32 stk.1 nr.1: 40 hours in only 4 of 6 months fails despite 478 hours", income: months(jan, 100, 100, 100, 100, 39, 39),
			first: july10, total: 478, months40: 4, failed: []string{CheckMonthsOf40}},
		{name: "§32 stk.1 nr.1: 39.99 hours do not make a month of 40", income: months(jan, 100, 100, 100, 100, 39.99, 100),
			first: july10, passed: true, total: 539.99, months40: 5},
		{name: "§32 stk.1 nr.1: two months of 160 hours (seasonal work) fail the monthly rule", income: months(jan, 0, 0, 0, 0, 160, 160),
			first: july10, total: 320, months40: 2, failed: []string{CheckMonthsOf40}},
		{name: "§32 stk.1 nr.1: 30 hours every month fails both rules", income: months(jan, 30, 30, 30, 30, 30, 30),
			first: july10, total: 180, months40: 0, failed: []string{CheckTotalHours, CheckMonthsOf40}},
		{name: "§32 stk.1 nr.1: no income at all fails", income: nil,
			first: july10, total: 0, months40: 0, noIncome: true, failed: []string{CheckIncomeFound, CheckTotalHours, CheckMonthsOf40}},
		{name: "§32 stk.1 nr.1: hours from two employers in one month add up", income: append(months(jan, 160, 160, 160, 160, 160, 20),
			records.IncomeMonth{CPR: testCPR, Employer: other, Month: jan.AddMonths(5), Hours: 20}),
			first: july10, passed: true, total: 840, months40: 6, monthHours: []float64{160, 160, 160, 160, 160, 40}},
		{name: "§32 stk.1 nr.1: decimal hours add up exactly (39.9 + 0.1 = 40)", income: append(months(jan, 100, 100, 100, 100, 39.9, 30),
			records.IncomeMonth{CPR: testCPR, Employer: other, Month: jan.AddMonths(4), Hours: 0.1}),
			first: july10, total: 470, months40: 5, passed: true},
		{name: "§32 stk.1 nr.1: the month of the first absence day is not completed and does not count",
			income: months(jan, 160, 160, 160, 160, 0, 0, 160), first: july10, total: 640, months40: 4, failed: []string{CheckMonthsOf40}},
		{name: "§32 stk.1 nr.1: months before the last six do not count",
			income: months(jan.AddMonths(-6), 160, 160, 160, 160, 160, 160), first: july10, total: 0, months40: 0, noIncome: true,
			failed: []string{CheckIncomeFound, CheckTotalHours, CheckMonthsOf40}},
		{name: "§32 stk.1 nr.1: first absence day on the 1st: the previous month is completed and counts",
			income: months(jan, 160, 160, 160, 160, 160, 160), first: day(2024, time.July, 1), passed: true, total: 960, months40: 6,
			from: "2024-01", to: "2024-06"},
		{name: "§32 stk.1 nr.1: first absence day on the last day of the month: that month still does not count",
			income: months(jan, 160, 160, 160, 160, 160, 160), first: day(2024, time.June, 30), total: 800, months40: 5, passed: true,
			from: "2023-12", to: "2024-05"},
		{name: "§32 stk.1 nr.1: the six months run across New Year",
			income: months(records.NewMonth(2023, time.August), 50, 50, 50, 50, 50, 50), first: day(2024, time.February, 15),
			passed: true, total: 300, months40: 6, from: "2023-08", to: "2024-01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := EmploymentRequirement(tc.income, tc.first)
			if r.Passed != tc.passed || r.TotalHours != tc.total || r.MonthsWithAtLeast40 != tc.months40 || r.NoIncome != tc.noIncome {
				t.Fatalf("got passed=%v total=%v months40=%d noIncome=%v, want %v %v %d %v\n%s",
					r.Passed, r.TotalHours, r.MonthsWithAtLeast40, r.NoIncome, tc.passed, tc.total, tc.months40, tc.noIncome, r.TextEn)
			}
			if tc.from != "" && (r.From.String() != tc.from || r.To.String() != tc.to) {
				t.Errorf("period %s–%s, want %s–%s", r.From, r.To, tc.from, tc.to)
			}
			if len(r.Months) != 6 || r.Months[0].Month != r.From || r.Months[5].Month != r.To {
				t.Errorf("months must be the six reference months oldest first: %+v", r.Months)
			}
			for i, h := range tc.monthHours {
				if r.Months[i].Hours != h {
					t.Errorf("month %s: %v hours, want %v", r.Months[i].Month, r.Months[i].Hours, h)
				}
			}
			var failed []string
			for _, c := range r.Checks {
				if !c.Passed {
					failed = append(failed, c.Rule)
				}
				if c.TextDa == "" || c.TextEn == "" {
					t.Errorf("check %s lacks text", c.Rule)
				}
			}
			if strings.Join(failed, ",") != strings.Join(tc.failed, ",") {
				t.Errorf("failed checks %v, want %v", failed, tc.failed)
			}
			if r.Reference != "sygedagpengeloven § 32 stk. 1 nr. 1" || r.Source != "https://elov.dk/sygedagpengeloven/32/" {
				t.Errorf("reference %q %q", r.Reference, r.Source)
			}
			if !strings.Contains(r.TextDa, "§ 32") || !strings.Contains(r.TextEn, "§ 32") ||
				!strings.Contains(r.TextEn, r.To.Month().String()) || !strings.Contains(r.TextDa, hoursDa(r.TotalHours)+" timer") {
				t.Errorf("texts must name the law, the months and the total:\n%s\n%s", r.TextDa, r.TextEn)
			}
		})
	}
}

func TestEmploymentRequirementTextExample(t *testing.T) {
	t.Parallel()
	r := EmploymentRequirement(months(records.NewMonth(2024, time.January), 40, 40, 40, 40, 40, 39.5), day(2024, time.July, 3))
	wantDa := "Beskæftigelseskravet (sygedagpengeloven § 32 stk. 1 nr. 1) ser ikke ud til at være opfyldt for første fraværsdag 3. juli 2024."
	if !strings.HasPrefix(r.TextDa, wantDa) || !strings.Contains(r.TextDa, "239,5 timer i alt i januar 2024–juni 2024; kravet er mindst 240 timer: ikke opfyldt.") {
		t.Errorf("TextDa = %s", r.TextDa)
	}
	if !strings.Contains(r.TextEn, "June 2024: 39.5") || !strings.Contains(r.TextEn, "5 of 6 months have at least 40 hours") {
		t.Errorf("TextEn = %s", r.TextEn)
	}
}
