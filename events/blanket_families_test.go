package events

import (
	"encoding/json"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"nemrefusion.dk/schemas"
)

// The examples of the parental and subsidy blankets pass their domain
// checks too, and every one of them is a submittable blanket with senders.
func TestParentalAndSubsidyExamplesPassTheirDomainChecks(t *testing.T) {
	for _, typ := range []string{ParentalEmployerReported, ParentalSelfEmployedReported, ParentalAKasseReported,
		SubsidyWageRequested, SubsidyFlexjobRequested, SubsidyJobClarificationRequested, SubsidyAdultApprenticeRequested,
		SubsidyMentorRequested, SubsidySelfEmployed136Requested} {
		t.Run(typ, func(t *testing.T) {
			ex, err := fs.ReadFile(schemas.FS, "examples/"+strings.TrimPrefix(typ, TypePrefix)+".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckDomain(typ, ex); err != nil {
				t.Fatalf("example refused: %v", err)
			}
			if !Submittable(typ) || len(BlanketSenders(typ)) == 0 {
				t.Fatalf("%s is not submittable with senders", typ)
			}
		})
	}
}

func fields(t *testing.T, err error) []string {
	t.Helper()
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	var out []string
	for _, e := range fe {
		out = append(out, e.Field+":"+e.Code)
	}
	return out
}

func TestParentalChecksNameEveryBadField(t *testing.T) {
	w := 1000.0
	r := ParentalEmployerReport{CPR: "1203854321", CVR: "30000005", PNumber: "1000000001", ChildDate: "2024-03-10",
		WeeklyHours: 37, HourlyEarnings: 200, EmployedSince: "2020-01-01", Periods: []LeavePeriod{
			{From: "2024-12-20", To: "2025-01-10", Kind: LeaveParental, HoursAbsent: 100, WagesPaid: &w}, // crosses the new year
			{From: "2024-03-10", To: "2024-03-16", Kind: LeaveBirth, HoursAbsent: 80, WagesPaid: &w},     // more than a week's hours
			{From: "2024-03-14", To: "2024-03-20", Kind: LeaveBirth, HoursAbsent: 10, WagesPaid: &w},     // overlaps the one before
			{From: "2024-04-01", To: "2024-04-05", Kind: "holiday", HoursAbsent: 10},                     // unknown kind, no wages
		}}
	got := fields(t, CheckDomain(ParentalEmployerReported, mustJSON(t, r)))
	for _, want := range []string{"periods.0.to:crosses_year", "periods.1.hoursAbsent:too_large", "periods.2:overlap",
		"periods.3.kind:enum", "periods.3.wagesPaid:required"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
}

func TestSubsidyChecksNameEveryBadField(t *testing.T) {
	f := SubsidyFlexjobRequest{CPR: "1203854321", CVR: "30000005", PNumber: "1000000001",
		Agreement: SubsidyDecision{Reference: "FJ", Date: "2013-01-01"}, Fraction: "3/4",
		Period: DatePeriod{From: "2024-03-31", To: "2024-03-01"}, HoursWorked: 10, WagesPaid: 100}
	got := fields(t, CheckDomain(SubsidyFlexjobRequested, mustJSON(t, f)))
	for _, want := range []string{"agreement.date:after_2012", "fraction:enum", "period.to:to_before_from"} {
		if !slices.Contains(got, want) {
			t.Errorf("flexjob: missing %s in %v", want, got)
		}
	}
	w := SubsidyWageRequest{CPR: "1203854321", CVR: "30000005", PNumber: "1000000001",
		Agreement: SubsidyDecision{Reference: "JC", Date: "2024-01-15"}, AgreementPeriod: DatePeriod{From: "2024-02-01", To: "2024-07-31"},
		Period: DatePeriod{From: "2024-07-01", To: "2024-08-31"}, HoursWorked: 100, HourlyWage: 150, WagesPaid: 15000}
	got = fields(t, CheckDomain(SubsidyWageRequested, mustJSON(t, w)))
	if !slices.Contains(got, "period:outside_agreement") {
		t.Errorf("wage: %v", got)
	}
	a := SubsidyAdultApprenticeRequest{CPR: "1203854321", CVR: "30000005", PNumber: "1000000001",
		Agreement: SubsidyDecision{Reference: "UA", Date: "2023-08-01"}, Decision: SubsidyDecision{Date: "2023-08-10"}, Month: "2024-13", Hours: 800}
	got = fields(t, CheckDomain(SubsidyAdultApprenticeRequested, mustJSON(t, a)))
	for _, want := range []string{"decision.reference:required", "month:month", "hours:hours"} {
		if !slices.Contains(got, want) {
			t.Errorf("apprentice: missing %s in %v", want, got)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
