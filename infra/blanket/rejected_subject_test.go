package blanket_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// Issue 18: a rejection tells the sender's list whom and when the refused
// submission was about (its CPR as ten digits and its absence days), and
// leaves out what is not well-formed, so a rejected row is not "–" in
// every column.
func TestRejectionCarriesTheSubmissionsPersonAndDays(t *testing.T) {
	t.Parallel()
	def := blanket.Define(events.SicknessEmployerReported, func(context.Context, *blanket.Env, events.SicknessEmployerReport) (blanket.Outcome, error) {
		return blanket.Outcome{}, events.FieldErrors{{Field: "cpr", Code: "cpr.unknown", Da: "Personen findes ikke i CPR.", En: "The person is not in the CPR register."}}
	})
	k := blankettest.Start(t, "rejectedsubject", def)
	report := func(last string) events.SicknessEmployerReport {
		return events.SicknessEmployerReport{CPR: "0101901234", CVR: "30000005", PNumber: "1000000002", FirstAbsenceDay: "2026-03-02", LastAbsenceDay: last,
			WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 200, EmployedSince: "2018-02-01",
			Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Lone Løn"}}
	}
	for name, tc := range map[string]struct {
		data             events.SicknessEmployerReport
		cpr, first, last string
	}{
		"ended":      {report("2026-03-20"), "0101901234", "2026-03-02", "2026-03-20"},
		"continuing": {report(""), "0101901234", "2026-03-02", ""},
	} {
		ev := blankettest.Submission(t, def.Type, uuid.NewString(), tc.data)
		k.Deliver(t, ev)
		out := runtimetest.OfType(k.Outbox(t, events.PartitionKey(ev)), events.BlanketRejected)
		if len(out) != 1 {
			t.Fatalf("%s: %d rejections", name, len(out))
		}
		var r events.BlanketRejection
		if err := json.Unmarshal(out[0].Data, &r); err != nil {
			t.Fatal(err)
		}
		if r.CPR != tc.cpr || r.FirstAbsenceDay != tc.first || r.LastAbsenceDay != tc.last {
			t.Errorf("%s: rejection says %q %q %q, want %q %q %q", name, r.CPR, r.FirstAbsenceDay, r.LastAbsenceDay, tc.cpr, tc.first, tc.last)
		}
	}
}
