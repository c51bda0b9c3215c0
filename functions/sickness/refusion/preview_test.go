package refusion

import (
	"encoding/json"
	"errors"
	"math"
	"nemrefusion.dk/functions/kernel"
	"slices"
	"strings"
	"testing"
)

func TestPreviewValidationNamesEveryBadFieldAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   PreviewInput
		want []string
	}{
		{"everything missing", PreviewInput{}, []string{
			"firstAbsenceDay:required", "employedSince:required", "hourlyEarnings:required", "weeklyHours:required", "receivedOn:required",
		}},
		{"dates in the wrong order, negative and absurd numbers", PreviewInput{
			FirstAbsenceDay: date(4, March, 2024),
			LastAbsenceDay:  ptr(date(3, March, 2024)),
			EmployedSince:   date(5, March, 2024),
			HoursLast8Weeks: ptr(-1.0),
			HourlyEarnings:  -1,
			WeeklyHours:     169,
			ReceivedOn:      date(1, March, 2024),
		}, []string{
			"lastAbsenceDay:before_first_absence_day", "employedSince:after_first_absence_day", "hoursLast8Weeks:negative",
			"hourlyEarnings:negative", "weeklyHours:too_large", "receivedOn:before_first_absence_day",
		}},
		{"absurd hours in 8 weeks and negative weekly hours", PreviewInput{
			FirstAbsenceDay: date(4, March, 2024), EmployedSince: date(1, January, 2020), HoursLast8Weeks: ptr(1345.0),
			HourlyEarnings: kernel.Kr(200, 0), WeeklyHours: -37, ReceivedOn: date(4, March, 2024),
		}, []string{"hoursLast8Weeks:too_large", "weeklyHours:negative"}},
		{"not-a-number hours", PreviewInput{
			FirstAbsenceDay: date(4, March, 2024), EmployedSince: date(1, January, 2020), HoursLast8Weeks: ptr(math.NaN()),
			HourlyEarnings: kernel.Kr(200, 0), WeeklyHours: math.Inf(1), ReceivedOn: date(4, March, 2024),
		}, []string{"hoursLast8Weeks:invalid", "weeklyHours:invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Preview(tt.in, defaultTable(t))
			if got := fieldErrors(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestPreviewBoundariesAreValid(t *testing.T) {
	t.Parallel()
	// Employed from the first absence day, 168 hours a week, received on the first day: odd but valid.
	_, err := Preview(PreviewInput{
		FirstAbsenceDay: date(4, March, 2024), LastAbsenceDay: ptr(date(4, March, 2024)), EmployedSince: date(4, March, 2024),
		HoursLast8Weeks: ptr(0.0), WagesPaid: true, HourlyEarnings: kernel.Kr(0, 1), WeeklyHours: 168, ReceivedOn: date(4, March, 2024),
	}, defaultTable(t))
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
}

func TestPreviewJSONShape(t *testing.T) {
	t.Parallel()
	var in PreviewInput
	err := json.Unmarshal([]byte(`{
		"firstAbsenceDay": "2024-03-04",
		"lastAbsenceDay": null,
		"employedSince": "2020-01-01",
		"hoursLast8Weeks": 296,
		"wagesPaid": true,
		"hourlyEarnings": 200.00,
		"weeklyHours": 37,
		"section56": false,
		"pregnancyRelated": false,
		"flexjob": false,
		"receivedOn": "2024-04-08"
	}`), &in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Preview(in, defaultTable(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		`"employerPeriod":{"applies":true,"from":"2024-03-04","to":"2024-04-02"}`,
		`"refusionFrom":"2024-04-03"`,
		`"reportDeadline":"2024-04-08"`,
		`"late":false`,
		`"maxHourlyRate":126.89`,
		`"hourlyRate":126.89`,
		`"weeklyAmount":4694.93`,
		`"provisional":false`,
		`"reasons":[{"rule":"sdl-30-2","law":"sygedagpengeloven § 30, stk. 2"`,
		`"textDa":`, `"textEn":`, `"inputs":`, `"result":`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON lacks %s\n%s", want, got)
		}
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(back))
	for k := range back {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"employerPeriod", "hourlyRate", "late", "maxHourlyRate", "provisional", "reasons", "refusionFrom", "reportDeadline", "weeklyAmount"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}

	none, err := sickFrom(date(4, March, 2024)).noWages().tryPreview(t)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(none)
	if !strings.Contains(string(b), `"refusionFrom":null`) {
		t.Errorf("no refusion should be null: %s", b)
	}
}

func TestPreviewErrNoRateIsWrappedAndNamesTheYear(t *testing.T) {
	t.Parallel()
	_, err := Preview(sickFrom(date(6, January, 2025)).in, defaultTable(t))
	var nr kernel.ErrNoRate
	if !errors.As(err, &nr) || nr.Year != 2025 {
		t.Fatalf("error %v, want ErrNoRate{2025}", err)
	}
	if !strings.Contains(err.Error(), "2025") {
		t.Errorf("message %q does not name the year", err)
	}
}
