package events

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"nemrefusion.dk/schemas"
)

// The domain checks name every bad field at once, with both languages.
func TestCheckDomainNamesEveryBadFieldOfAnEmployerReport(t *testing.T) {
	t.Parallel()
	data := []byte(`{"cpr":"3102901234","cvr":"12345678","pNumber":"1000000001","firstAbsenceDay":"2024-03-04",
		"lastAbsenceDay":"2024-03-01","weeklyHours":37,"schedule":[8,8,8,8,4,0,0],"wagesPaid":true,"hourlyEarnings":0,
		"employedSince":"2024-04-01","pregnancyRelated":false,"flexjob":false,
		"holidays":[{"from":"2024-03-10","to":"2024-03-09"}],
		"retention":{"partialResumptionPossible":true,"expectsReturn":true,"retentionPlanWanted":false},"contact":{"name":"x"}}`)
	if err := ValidateJSON(SicknessEmployerReported, data); err != nil {
		t.Fatalf("schema: %v", err)
	}
	var fe FieldErrors
	err := CheckDomain(SicknessEmployerReported, data)
	if !asFieldErrors(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	var got []string
	for _, e := range fe {
		if e.Da == "" || e.En == "" {
			t.Errorf("%s lacks a text", e.Field)
		}
		got = append(got, e.Field+":"+e.Code)
	}
	for _, want := range []string{"cpr:cpr.date", "cvr:cvr.checksum", "lastAbsenceDay:before_first_absence_day",
		"employedSince:after_first_absence_day", "schedule:sum", "hourlyEarnings:required", "holidays.0.to:to_before_from"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
}

func TestCheckDomainAcceptsEveryExample(t *testing.T) {
	t.Parallel()
	for _, b := range Blankets() {
		typ := b.Type
		ex := exampleOf(t, typ)
		if err := CheckDomain(typ, ex); err != nil {
			t.Errorf("%s example: %v", typ, err)
		}
	}
}

func asFieldErrors(err error, fe *FieldErrors) bool { return errors.As(err, fe) }

func exampleOf(t *testing.T, typ string) []byte {
	t.Helper()
	b, err := fs.ReadFile(schemas.FS, "examples/"+strings.TrimPrefix(typ, TypePrefix)+".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
