package refusion

import (
	"nemrefusion.dk/functions/kernel"
	"slices"
	"testing"
)

func TestSDL13b_EarlyFollowUp(t *testing.T) {
	t.Parallel()
	first := date(4, March, 2024) // first 5 weeks: 4 March–7 April 2024
	tests := []struct {
		name        string
		requested   kernel.Date
		expectedOv8 bool
		allowed     bool
		meetingBy   *kernel.Date
		wantRules   []string
	}{
		{"on the first absence day, expected over 8 weeks", first, true, true, ptr(date(18, March, 2024)), []string{"sdl-early-follow-up"}},
		{"on the last day of week 5", date(7, April, 2024), true, true, ptr(date(21, April, 2024)), []string{"sdl-early-follow-up"}},
		{"the day after week 5", date(8, April, 2024), true, false, nil, []string{"sdl-early-follow-up-5-weeks"}},
		{"in time but not expected over 8 weeks", date(10, March, 2024), false, false, nil, []string{"sdl-early-follow-up-8-weeks"}},
		{"too late and not expected over 8 weeks", date(1, May, 2024), false, false, nil, []string{"sdl-early-follow-up-5-weeks", "sdl-early-follow-up-8-weeks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := EarlyFollowUp(EarlyFollowUpInput{FirstAbsenceDay: first, RequestedOn: tt.requested, ExpectedOver8Weeks: tt.expectedOv8})
			if err != nil {
				t.Fatal(err)
			}
			if got.Allowed != tt.allowed || got.LastRequestDay != date(7, April, 2024) {
				t.Errorf("allowed %v last day %s, want %v 2024-04-07", got.Allowed, got.LastRequestDay, tt.allowed)
			}
			if (got.MeetingBy == nil) != (tt.meetingBy == nil) || (got.MeetingBy != nil && *got.MeetingBy != *tt.meetingBy) {
				t.Errorf("meeting by %v, want %v", got.MeetingBy, tt.meetingBy)
			}
			if !slices.Equal(ruleIDs(got.Reasons), tt.wantRules) {
				t.Errorf("rules %v, want %v", ruleIDs(got.Reasons), tt.wantRules)
			}
		})
	}
}

func TestSDL13b_EarlyFollowUpValidation(t *testing.T) {
	t.Parallel()
	_, err := EarlyFollowUp(EarlyFollowUpInput{FirstAbsenceDay: date(4, March, 2024), RequestedOn: date(1, March, 2024)})
	if got, want := fieldErrors(t, err), []string{"requestedOn:before_first_absence_day"}; !slices.Equal(got, want) {
		t.Errorf("errors %v, want %v", got, want)
	}
	_, err = EarlyFollowUp(EarlyFollowUpInput{})
	if got, want := fieldErrors(t, err), []string{"firstAbsenceDay:required", "requestedOn:required"}; !slices.Equal(got, want) {
		t.Errorf("errors %v, want %v", got, want)
	}
}
