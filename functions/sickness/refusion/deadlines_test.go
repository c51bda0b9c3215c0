package refusion

import (
	"nemrefusion.dk/functions/kernel"
	"slices"
	"testing"
)

func TestSDL40_DeadlinesPerSender(t *testing.T) {
	t.Parallel()
	first := date(4, March, 2024)
	tests := []struct {
		name     string
		in       DeadlineInput
		want     kernel.Date
		wantRule string
	}{
		{"§ 40 stk. 1: employer paying wages, 5 weeks", DeadlineInput{Sender: SenderEmployerWages, FirstAbsenceDay: first}, date(8, April, 2024), "sdl-40-1"},
		{"§ 40 stk. 1: § 56 absence over 30 days keeps 5 weeks", DeadlineInput{Sender: SenderEmployerWages, FirstAbsenceDay: first, Section56: true, LastAbsenceDay: ptr(date(3, April, 2024))}, date(8, April, 2024), "sdl-40-1"},
		{"§ 56: absence of at most 30 days, 3 months", DeadlineInput{Sender: SenderEmployerWages, FirstAbsenceDay: first, Section56: true, LastAbsenceDay: ptr(date(2, April, 2024))}, date(4, June, 2024), "sdl-56-30-days"},
		{"§ 56 without a known last day keeps 5 weeks", DeadlineInput{Sender: SenderEmployerWages, FirstAbsenceDay: first, Section56: true}, date(8, April, 2024), "sdl-40-1"},
		{"§ 40 stk. 2: only sygedagpenge, 1 week after payments stop", DeadlineInput{Sender: SenderEmployerSygedagpenge, FirstAbsenceDay: first, PaymentsStoppedOn: ptr(date(2, April, 2024))}, date(9, April, 2024), "sdl-40-2"},
		{"§ 40 stk. 3: neither, 14 days", DeadlineInput{Sender: SenderEmployerNeither, FirstAbsenceDay: first}, date(18, March, 2024), "sdl-40-3"},
		{"§ 41: self-employed uninsured, 3 weeks", DeadlineInput{Sender: SenderSelfEmployed, FirstAbsenceDay: first, Insurance: InsuranceNone}, date(25, March, 2024), "sdl-41-uninsured"},
		{"§ 41: self-employed insured from day 1, 1 week after entitlement", DeadlineInput{Sender: SenderSelfEmployed, FirstAbsenceDay: first, Insurance: InsuranceDay1}, date(11, March, 2024), "sdl-41-insured"},
		{"§ 41: self-employed insured from day 3, 1 week after entitlement", DeadlineInput{Sender: SenderSelfEmployed, FirstAbsenceDay: first, Insurance: InsuranceDay3}, date(13, March, 2024), "sdl-41-insured"},
		{"a-kasse: 1 week after being told", DeadlineInput{Sender: SenderAKasse, FirstAbsenceDay: first, ToldOn: ptr(date(5, March, 2024))}, date(12, March, 2024), "akasse-report-1-week"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Deadlines(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Date != tt.want || got.Sender != tt.in.Sender {
				t.Errorf("deadline = %s (%s), want %s", got.Date, got.Sender, tt.want)
			}
			wantReason(t, []kernel.Reason{got.Reason}, tt.wantRule)
		})
	}
}

func TestSDL40_DeadlinesNamesEveryMissingInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   DeadlineInput
		want []string
	}{
		{DeadlineInput{Sender: SenderEmployerSygedagpenge}, []string{"firstAbsenceDay:required", "paymentsStoppedOn:required"}},
		{DeadlineInput{Sender: SenderAKasse, FirstAbsenceDay: date(4, March, 2024)}, []string{"toldOn:required"}},
		{DeadlineInput{Sender: SenderSelfEmployed, FirstAbsenceDay: date(4, March, 2024), Insurance: "day2"}, []string{"insurance:invalid"}},
		{DeadlineInput{Sender: "employer", FirstAbsenceDay: date(4, March, 2024), LastAbsenceDay: ptr(date(1, March, 2024))}, []string{"lastAbsenceDay:before_first_absence_day", "sender:invalid"}},
	}
	for _, tt := range tests {
		_, err := Deadlines(tt.in)
		if got := fieldErrors(t, err); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: errors %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSDL41_SelfEmployedEntitlement(t *testing.T) {
	t.Parallel()
	first := date(4, March, 2024)
	tests := []struct {
		ins  Insurance
		want kernel.Date
	}{
		{InsuranceNone, date(18, March, 2024)}, // after 2 weeks: the 15th day
		{InsuranceDay1, date(4, March, 2024)},
		{InsuranceDay3, date(6, March, 2024)},
	}
	for _, tt := range tests {
		got, r := SelfEmployedEntitlement(first, tt.ins)
		if got != tt.want {
			t.Errorf("%s: entitlement from %s, want %s", tt.ins, got, tt.want)
		}
		wantReason(t, []kernel.Reason{r}, "sdl-selfemployed-entitlement")
	}
}

func TestAKasse_First14DaysPaidByAKasse(t *testing.T) {
	t.Parallel()
	// Sick on a Wednesday in week 1: a-kasse pays up to and including the Tuesday of week 3.
	from, to, municipality, r := AKasseFirstDays(date(6, March, 2024))
	if from != date(6, March, 2024) || to != date(19, March, 2024) || municipality != date(20, March, 2024) {
		t.Errorf("a-kasse %s–%s, municipality from %s", from, to, municipality)
	}
	if to.Weekday().String() != "Tuesday" {
		t.Errorf("last a-kasse day is a %s, want Tuesday", to.Weekday())
	}
	wantReason(t, []kernel.Reason{r}, "akasse-first-14-days")
}
