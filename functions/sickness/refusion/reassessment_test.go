package refusion

import (
	"nemrefusion.dk/functions/kernel"
	"slices"
	"testing"
)

func TestSDL24_ReassessmentAfterMoreThan22WeeksWithin9Months(t *testing.T) {
	t.Parallel()
	paidSinceApril := []Period{{From: date(3, April, 2024), To: date(31, December, 2024)}}
	tests := []struct {
		name     string
		paid     []Period
		asOf     kernel.Date
		wantDays int
		wantDue  bool
		wantAt   *kernel.Date
	}{
		{"exactly 22 weeks (154 days) is not more than 22 weeks", paidSinceApril, date(3, September, 2024), 154, false, nil},
		{"155 days is due at the end of the month", paidSinceApril, date(4, September, 2024), 155, true, ptr(date(30, September, 2024))},
		{"overlapping periods count once", []Period{{date(1, January, 2024), date(10, January, 2024)}, {date(5, January, 2024), date(20, January, 2024)}}, date(1, February, 2024), 20, false, nil},
		{"days before the 9-month window do not count", []Period{{date(1, January, 2023), date(30, June, 2023)}, {date(1, March, 2024), date(10, March, 2024)}}, date(31, March, 2024), 10, false, nil},
		{"a period straddling the window start is clipped", []Period{{date(1, June, 2023), date(30, September, 2023)}}, date(31, March, 2024), 92, false, nil}, // window from 1 July 2023
		{"separate periods add up", []Period{{date(1, January, 2024), date(31, March, 2024)}, {date(1, May, 2024), date(30, June, 2024)}}, date(30, June, 2024), 91 + 61, false, nil},
		{"separate periods above the limit", []Period{{date(1, January, 2024), date(31, March, 2024)}, {date(1, May, 2024), date(3, July, 2024)}}, date(3, July, 2024), 91 + 64, true, ptr(date(31, July, 2024))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Reassessment(tt.paid, tt.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if got.PaidDays != tt.wantDays || got.Due != tt.wantDue {
				t.Errorf("paid %d due %v, want %d %v (window from %s)", got.PaidDays, got.Due, tt.wantDays, tt.wantDue, got.WindowFrom)
			}
			if (got.DueAt == nil) != (tt.wantAt == nil) || (got.DueAt != nil && *got.DueAt != *tt.wantAt) {
				t.Errorf("due at %v, want %v", got.DueAt, tt.wantAt)
			}
			wantReason(t, got.Reasons, "sdl-24-reassessment")
		})
	}
}

func TestSDL24_ReassessmentValidation(t *testing.T) {
	t.Parallel()
	_, err := Reassessment([]Period{{date(10, March, 2024), date(1, March, 2024)}, {From: date(1, March, 2024)}}, kernel.Date{})
	want := []string{"asOf:required", "paid/0:to_before_from", "paid/1:required"}
	if got := fieldErrors(t, err); !slices.Equal(got, want) {
		t.Errorf("errors %v, want %v", got, want)
	}
}
