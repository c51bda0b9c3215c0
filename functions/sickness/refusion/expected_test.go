package refusion

import (
	"slices"
	"testing"

	"nemrefusion.dk/functions/kernel"
)

// The first report asks refusion from the first day of refusion to the last
// absence day, or to the report date while the absence runs; refusion after
// the report date is asked for as the next period (sygedagpengeloven §§ 54–59,
// § 59, stk. 2).
func TestSDL54to59_ReportPeriod(t *testing.T) {
	t.Parallel()
	from := date(20, March, 2024) // the day after the employer period
	tests := []struct {
		name       string
		from, last *kernel.Date
		reportedOn kernel.Date
		want       *Period
	}{
		{"still open: to the report date", &from, nil, date(10, April, 2024), &Period{From: from, To: date(10, April, 2024)}},
		{"recovered before the report: to the last absence day", &from, ptr(date(31, March, 2024)), date(10, April, 2024), &Period{From: from, To: date(31, March, 2024)}},
		{"last day after the report date: to the report date", &from, ptr(date(30, April, 2024)), date(10, April, 2024), &Period{From: from, To: date(10, April, 2024)}},
		{"reported on the first day of refusion: one day", &from, nil, from, &Period{From: from, To: from}},
		{"reported inside the employer period: nothing yet", &from, nil, date(8, March, 2024), nil},
		{"no refusion due", nil, nil, date(10, April, 2024), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, r := ReportPeriod(tt.from, tt.last, tt.reportedOn)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("period %v, want %v", got, tt.want)
			}
			if r.Rule != "sdl-54-59-report-period" || r.Law != "sygedagpengeloven §§ 54–59" || r.TextDa == "" || r.TextEn == "" {
				t.Errorf("reason %+v", r)
			}
		})
	}
}

// The expected amount is the hourly rate times the hours the employee should
// have worked (§ 47), the hours absent when partial (§ 53), and nothing for
// a partial absence under 4 hours a week (§ 53).
func TestSDL47and53_Expect(t *testing.T) {
	t.Parallel()
	week := Period{From: date(1, April, 2024), To: date(7, April, 2024)}
	hourly := kernel.Kr(150, 0)
	tests := []struct {
		name     string
		p        Period
		schedule []float64
		partial  *float64
		want     kernel.Money
		rule     string
	}{
		{"a full week of 37 hours", week, nil, nil, kernel.Kr(5550, 0), "sdl-47-period-amount"},
		{"10 days: 52.86 hours", Period{From: date(1, April, 2024), To: date(10, April, 2024)}, nil, nil, kernel.Kr(7929, 0), "sdl-47-period-amount"},
		{"a schedule Monday–Thursday 9.25 hours", week, []float64{9.25, 9.25, 9.25, 9.25, 0, 0, 0}, nil, kernel.Kr(5550, 0), "sdl-47-period-amount"},
		{"partial, 18.5 of 37 hours", week, nil, ptr(18.5), kernel.Kr(2775, 0), "sdl-47-period-amount"},
		{"partial under 4 hours counts as recovered", week, nil, ptr(3.5), 0, "sdl-53-partial-under-4-hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := Expect("k", tt.p, hourly, 37, tt.schedule, tt.partial)
			if e.Amount != tt.want || e.Period != tt.p || e.Key != "k" {
				t.Errorf("expected %s for %v, want %s", e.Amount, e.Period, tt.want)
			}
			if !slices.Equal(ruleIDs(e.Reasons), []string{tt.rule}) {
				t.Errorf("rules %v, want %s", ruleIDs(e.Reasons), tt.rule)
			}
		})
	}
}

// A new expectation for a request replaces the old one (a correction
// replaces the amount of the periods it changes; nothing is added twice).
func TestExpectedReplaceByKey(t *testing.T) {
	t.Parallel()
	hourly := kernel.Kr(150, 0)
	report := Expect(ExpectedReportKey, Period{From: date(20, March, 2024), To: date(31, March, 2024)}, hourly, 37, nil, nil)
	next := Expect(ExpectedPeriodKey(date(1, April, 2024)), Period{From: date(1, April, 2024), To: date(7, April, 2024)}, hourly, 37, nil, nil)
	list := Replace(Replace(nil, next), report)
	if len(list) != 2 || list[0].Key != ExpectedReportKey || list[1].Key != "period:2024-04-01" {
		t.Fatalf("list %+v: want the report, then the next period, by first day", list)
	}
	corrected := Expect(ExpectedReportKey, Period{From: date(20, March, 2024), To: date(31, March, 2024)}, kernel.Kr(100, 0), 37, nil, nil)
	list = Replace(list, corrected)
	if len(list) != 2 || list[0].Amount != corrected.Amount || Total(list) != corrected.Amount+next.Amount {
		t.Errorf("after the correction %+v: want the corrected report replacing the old one", list)
	}
	if got := Without(list, ExpectedReportKey); len(got) != 1 || got[0].Key != next.Key {
		t.Errorf("without the report: %+v", got)
	}
}

// Refusion stops after the last absence day and is never due before the
// first day of refusion (sygedagpengeloven § 7 and §§ 54–59): a recovery or
// correction cuts the expected periods and recomputes the cut ones with the
// rates they were expected with.
func TestSDL54to59_Clip(t *testing.T) {
	t.Parallel()
	hourly := kernel.Kr(150, 0)
	report := Expect(ExpectedReportKey, Period{From: date(20, March, 2024), To: date(31, March, 2024)}, hourly, 37, nil, nil)
	next := Expect(ExpectedPeriodKey(date(1, April, 2024)), Period{From: date(1, April, 2024), To: date(14, April, 2024)}, hourly, 37, nil, ptr(18.5))
	list := []Expected{report, next}

	got := Clip(list, ptr(date(20, March, 2024)), ptr(date(7, April, 2024)))
	if len(got) != 2 || got[0].Amount != report.Amount || got[1].Period != (Period{From: date(1, April, 2024), To: date(7, April, 2024)}) ||
		got[1].Amount != kernel.Kr(2775, 0) {
		t.Errorf("recovered 7 April: %+v; want the report unchanged and the next period cut to 1–7 April, half of 37 hours × 150 kr", got)
	}
	if got := Clip(list, ptr(date(20, March, 2024)), ptr(date(25, March, 2024))); len(got) != 1 || got[0].To != date(25, March, 2024) {
		t.Errorf("recovered 25 March: %+v; want only the report, to 25 March", got)
	}
	if got := Clip(list, ptr(date(5, April, 2024)), nil); len(got) != 1 || got[0].From != date(5, April, 2024) {
		t.Errorf("refusion from 5 April: %+v; want only the next period, from 5 April", got)
	}
	if got := Clip(list, nil, nil); len(got) != 0 {
		t.Errorf("no refusion due: %+v, want nothing expected", got)
	}
}
