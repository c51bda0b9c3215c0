package refusion

import (
	"nemrefusion.dk/functions/kernel"
	"slices"
	"testing"
)

func TestSDL53_PartialAbsence(t *testing.T) {
	t.Parallel()
	rate := kernel.Kr(126, 89)
	tests := []struct {
		name          string
		hoursAbsent   float64
		wantRecovered bool
		want          kernel.Money
		wantRule      string
	}{
		{"3.99 hours a week counts as recovered", 3.99, true, 0, "sdl-partial-min-4-hours"},
		{"0 hours counts as recovered", 0, true, 0, "sdl-partial-min-4-hours"},
		{"exactly 4 hours gives reduced refusion", 4, false, kernel.Kr(507, 56), "sdl-53-partial"},
		{"18.5 of 37 hours gives half the weekly amount", 18.5, false, kernel.Kr(2347, 47), "sdl-53-partial"}, // 2347.465 rounds up
		{"all 37 hours gives the full weekly amount", 37, false, kernel.Kr(4694, 93), "sdl-53-partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := PartialAbsence(PartialAbsenceInput{HoursAbsent: tt.hoursAbsent, WeeklyHours: 37, HourlyRate: rate})
			if err != nil {
				t.Fatal(err)
			}
			if got.Recovered != tt.wantRecovered || got.WeeklyAmount != tt.want {
				t.Errorf("recovered %v amount %s, want %v %s", got.Recovered, got.WeeklyAmount, tt.wantRecovered, tt.want)
			}
			wantReason(t, got.Reasons, tt.wantRule)
		})
	}
}

func TestSDL53_PartialAbsenceRejectsImpossibleHours(t *testing.T) {
	t.Parallel()
	_, err := PartialAbsence(PartialAbsenceInput{HoursAbsent: 40, WeeklyHours: 37, HourlyRate: -1})
	if got, want := fieldErrors(t, err), []string{"hoursAbsent:too_large", "hourlyRate:negative"}; !slices.Equal(got, want) {
		t.Errorf("errors %v, want %v", got, want)
	}
	_, err = PartialAbsence(PartialAbsenceInput{HoursAbsent: -1, WeeklyHours: 200})
	if got, want := fieldErrors(t, err), []string{"hoursAbsent:invalid", "weeklyHours:invalid"}; !slices.Equal(got, want) {
		t.Errorf("errors %v, want %v", got, want)
	}
}
