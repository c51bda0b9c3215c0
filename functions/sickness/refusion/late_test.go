package refusion

import (
	"testing"

	"nemrefusion.dk/functions/kernel"
)

func TestSDL40Stk1_ReportOnTheDeadlineIsInTime(t *testing.T) {
	t.Parallel()
	deadline := date(8, April, 2024)
	tests := []struct {
		received kernel.Date
		late     bool
	}{
		{date(7, April, 2024), false},
		{date(8, April, 2024), false},
		{date(9, April, 2024), true},
	}
	for _, tt := range tests {
		late, r := IsLate(deadline, tt.received)
		if late != tt.late {
			t.Errorf("received %s: late = %v, want %v", tt.received, late, tt.late)
		}
		wantReason(t, []kernel.Reason{r}, "sdl-59-3-late")
	}
}

func TestSDL59Stk2_BackdatingLimitIs3Months(t *testing.T) {
	t.Parallel()
	if got := BackdatingLimit(date(8, April, 2024)); got != date(8, January, 2024) {
		t.Errorf("limit = %s", got)
	}
	if got := BackdatingLimit(date(31, May, 2024)); got != date(29, February, 2024) {
		t.Errorf("limit = %s", got)
	}
}

func TestSDL59Stk6_NoRefusionMoreThan6MonthsAfterFirstAbsenceDay(t *testing.T) {
	t.Parallel()
	first := date(4, March, 2024)
	tests := []struct {
		received kernel.Date
		beyond   bool
	}{
		{date(3, September, 2024), false},
		{date(4, September, 2024), false},
		{date(5, September, 2024), true},
	}
	for _, tt := range tests {
		beyond, r := BeyondDispensationLimit(first, tt.received)
		if beyond != tt.beyond {
			t.Errorf("received %s: beyond = %v, want %v", tt.received, beyond, tt.beyond)
		}
		wantReason(t, []kernel.Reason{r}, "sdl-59-6")
	}
}

func TestSDL59_RefusionStart(t *testing.T) {
	t.Parallel()
	first := date(4, March, 2024)
	afterEP := date(3, April, 2024)
	deadline := date(8, April, 2024)
	tests := []struct {
		name     string
		in       RefusionStartInput
		want     *kernel.Date
		late     bool
		wantRule string
	}{
		{"stk. 2: in time, from the day after the employer period",
			RefusionStartInput{first, nil, afterEP, deadline, date(8, April, 2024)}, ptr(afterEP), false, "sdl-59-2"},
		{"stk. 2: in time but more than 3 months after the earliest day (§ 56 three-month deadline)",
			RefusionStartInput{first, nil, first, date(4, September, 2024), date(20, June, 2024)}, ptr(date(20, March, 2024)), false, "sdl-59-2"},
		{"stk. 3: late, from the day received",
			RefusionStartInput{first, nil, afterEP, deadline, date(9, April, 2024)}, ptr(date(9, April, 2024)), true, "sdl-59-3"},
		{"stk. 3: late, but never before the employer period ends",
			RefusionStartInput{first, nil, date(10, April, 2024), deadline, date(9, April, 2024)}, ptr(date(10, April, 2024)), true, "sdl-59-3"},
		{"stk. 4: late, but the absence ended within 30 days: 3 months back",
			RefusionStartInput{first, ptr(date(20, March, 2024)), first, deadline, date(10, May, 2024)}, ptr(first), true, "sdl-59-4"},
		{"stk. 4: late, ended within 30 days, but the 3 months no longer reach the absence",
			RefusionStartInput{first, ptr(date(20, March, 2024)), first, deadline, date(25, June, 2024)}, nil, true, "sdl-59-nothing-left"},
		{"stk. 3: late, and the absence ended before the report",
			RefusionStartInput{first, ptr(date(15, April, 2024)), afterEP, deadline, date(20, April, 2024)}, nil, true, "sdl-59-nothing-left"},
		{"stk. 6: more than 6 months after the first absence day",
			RefusionStartInput{first, nil, afterEP, deadline, date(5, September, 2024)}, nil, true, "sdl-59-6"},
		{"§ 30 stk. 1: ended inside the employer period",
			RefusionStartInput{first, ptr(date(2, April, 2024)), afterEP, deadline, date(8, April, 2024)}, nil, false, "sdl-30-1-ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, late, reasons := RefusionStart(tt.in)
			switch {
			case tt.want == nil && got != nil:
				t.Errorf("refusion from %s, want none", got)
			case tt.want != nil && (got == nil || *got != *tt.want):
				t.Errorf("refusion from %v, want %s", got, tt.want)
			}
			if late != tt.late {
				t.Errorf("late = %v, want %v", late, tt.late)
			}
			wantReason(t, reasons, tt.wantRule)
		})
	}
}
