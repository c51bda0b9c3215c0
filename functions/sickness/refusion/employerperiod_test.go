package refusion

import (
	"testing"

	"nemrefusion.dk/functions/kernel"
)

func TestSDL30Stk1_EmployerPeriodIs30CalendarDaysFromFirstAbsenceDay(t *testing.T) {
	t.Parallel()
	tests := []struct{ first, from, to kernel.Date }{
		{date(4, March, 2024), date(4, March, 2024), date(2, April, 2024)},
		{date(1, February, 2024), date(1, February, 2024), date(1, March, 2024)}, // leap year
		{date(1, February, 2023), date(1, February, 2023), date(2, March, 2023)},
		{date(10, December, 2024), date(10, December, 2024), date(8, January, 2025)},
	}
	for _, tt := range tests {
		from, to, r := EmployerPeriodDates(tt.first)
		if from != tt.from || to != tt.to {
			t.Errorf("first %s: employer period %s–%s, want %s–%s", tt.first, from, to, tt.from, tt.to)
		}
		if from.DaysUntil(to)+1 != 30 {
			t.Errorf("first %s: period is %d days", tt.first, from.DaysUntil(to)+1)
		}
		if r.Rule != "sdl-30-1" || r.Law != "sygedagpengeloven § 30, stk. 1" {
			t.Errorf("reason = %s / %s", r.Rule, r.Law)
		}
	}
}

func TestSDL30Stk2_EmploymentRequirement(t *testing.T) {
	t.Parallel()
	first := date(4, March, 2024) // 8 weeks before: 8 January 2024
	tests := []struct {
		name          string
		employedSince kernel.Date
		hours         *float64
		weeklyHours   float64
		want          bool
		wantRule      string
	}{
		{"employed exactly 8 weeks with 74 hours", date(8, January, 2024), ptr(74.0), 37, true, "sdl-30-2"},
		{"employed one day short of 8 weeks", date(9, January, 2024), ptr(300.0), 37, false, "sdl-30-2-weeks"},
		{"employed for years but only 73.99 hours", date(1, January, 2020), ptr(73.99), 37, false, "sdl-30-2"},
		{"hours not given: 9.25 hours a week × 8 = 74 assumed met", date(1, January, 2020), nil, 9.25, true, "sdl-30-2-hours-assumed"},
		{"hours not given: 9 hours a week × 8 = 72 assumed not met", date(1, January, 2020), nil, 9, false, "sdl-30-2-hours-assumed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, reasons := EmploymentRequirementMet(first, tt.employedSince, tt.hours, tt.weeklyHours)
			if got != tt.want {
				t.Errorf("met = %v, want %v; reasons %v", got, tt.want, ruleIDs(reasons))
			}
			wantReason(t, reasons, tt.wantRule)
		})
	}
}

func TestFirstDayRefusion_FlexjobSection56PregnancyHaveNoEmployerPeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		flex, s56, pregnancy bool
		wantExempt           bool
		wantRules            []string
	}{
		{"none", false, false, false, false, nil},
		{"flexjob", true, false, false, true, []string{"sdl-first-day-flexjob"}},
		{"section 56 agreement", false, true, false, true, []string{"sdl-56"}},
		{"pregnancy-related", false, false, true, true, []string{"sdl-first-day-pregnancy"}},
		{"all three", true, true, true, true, []string{"sdl-first-day-flexjob", "sdl-56", "sdl-first-day-pregnancy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			exempt, reasons := FirstDayRefusion(tt.flex, tt.s56, tt.pregnancy)
			if exempt != tt.wantExempt || len(reasons) != len(tt.wantRules) {
				t.Fatalf("exempt = %v with %v, want %v with %v", exempt, ruleIDs(reasons), tt.wantExempt, tt.wantRules)
			}
			for _, rule := range tt.wantRules {
				wantReason(t, reasons, rule)
			}
		})
	}
}

func TestDetermineEmployerPeriod_ExceptionWinsOverEmploymentRequirement(t *testing.T) {
	t.Parallel()
	ep, reasons := DetermineEmployerPeriod(EmployerPeriodInput{
		FirstAbsenceDay: date(4, March, 2024), EmployedSince: date(1, January, 2020), WeeklyHours: 37, Flexjob: true,
	})
	if ep.Applies || ep.From != nil || ep.To != nil {
		t.Errorf("employer period = %+v, want none", ep)
	}
	wantNoReason(t, reasons, "sdl-30-2")
	ep, _ = DetermineEmployerPeriod(EmployerPeriodInput{
		FirstAbsenceDay: date(4, March, 2024), EmployedSince: date(1, January, 2020), WeeklyHours: 37,
	})
	if !ep.Applies || *ep.From != date(4, March, 2024) || *ep.To != date(2, April, 2024) {
		t.Errorf("employer period = %+v, want 4 March–2 April 2024", ep)
	}
}
