package sickness

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// expectations are the refusion.expected events of an absence, in the order
// emitted, each checked against its schema.
func expectations(t *testing.T, f *fixture, id string) []events.RefusionExpectation {
	t.Helper()
	var out []events.RefusionExpectation
	for _, e := range runtimetest.OfType(f.Outbox(t, id), events.RefusionExpected) {
		if err := events.ValidateJSON(events.RefusionExpected, e.Data); err != nil {
			t.Errorf("refusion.expected does not fit its schema: %v\n%s", err, e.Data)
		}
		var x events.RefusionExpectation
		if err := json.Unmarshal(e.Data, &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

type wantPeriod struct {
	from, to string
	ore      int64
}

func wantPeriods(t *testing.T, what string, got events.RefusionExpectation, want ...wantPeriod) {
	t.Helper()
	if len(got.Periods) != len(want) {
		t.Fatalf("%s: periods %+v, want %v", what, got.Periods, want)
	}
	for i, w := range want {
		if p := got.Periods[i]; p.From != w.from || p.To != w.to || p.AmountOre != w.ore {
			t.Errorf("%s: period %d is %s–%s %d øre, want %s–%s %d øre", what, i, p.From, p.To, p.AmountOre, w.from, w.to, w.ore)
		}
	}
}

// Issue 18, item 4 (seeds/000 § 1 stk. 3; sygedagpengeloven §§ 54–59): the
// employer's report, its next period, a correction and a cancellation each
// send the whole expected refusion per period to the delivery function's
// reconciliation. Sick from 4 March 2024: the employer period is 4 March–2
// April; 210 kr/h is capped at the 2024 maximum 126.89 kr/h; 37 hours a
// week spread over 7 days.
func TestEmployerReportAndFollowUpsEmitTheExpectedRefusionPerPeriod(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := uuid.Must(uuid.NewV7()).String()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }
	deliver := func(typ string, data any, when time.Time) {
		t.Helper()
		ev := blankettest.Submission(t, typ, id, data)
		ev.SetTime(when)
		f.Deliver(t, ev)
	}
	r := employerReport(t, at(2024, time.March, 4))

	// Reported on the § 40 deadline, 8 April: 3–8 April, 31.71 h × 126.89 kr = 4,023.68 kr.
	deliver(events.SicknessEmployerReported, r, at(2024, time.April, 8))
	xs := expectations(t, f, id)
	if len(xs) != 1 {
		t.Fatalf("%d refusion.expected after the report, want 1", len(xs))
	}
	if xs[0].AbsenceID != id || xs[0].SenderCVR != r.CVR || xs[0].ComputedAt != "2024-04-08T10:00:00Z" {
		t.Errorf("expectation %+v, want the absence, the employer's CVR and the time received", xs[0])
	}
	wantPeriods(t, "report", xs[0], wantPeriod{"2024-04-03", "2024-04-08", 402368})
	if rs := xs[0].Periods[0].Reasons; len(rs) != 4 || rs[0].Law != "sygedagpengeloven §§ 54–59" || rs[1].Rule != "sdl-50-max-rate" ||
		rs[2].Rule != "sdl-47-hourly-rate" || rs[3].Rule != "sdl-47-period-amount" {
		t.Errorf("reasons %+v, want the report period (§§ 54–59), the maximum rate in force (§ 50, stk. 1), the hourly rate and the amount (§ 47)", rs)
	}

	// Next period 9–30 April, asked 1 May: 116.29 h × 126.89 kr = 14,756.04 kr.
	deliver(events.SicknessPeriodReported, events.SicknessPeriodReport{AbsenceID: id, CVR: r.CVR, From: "2024-04-09", To: "2024-04-30"}, at(2024, time.May, 1))
	xs = expectations(t, f, id)
	if len(xs) != 2 {
		t.Fatalf("%d refusion.expected after the next period, want 2", len(xs))
	}
	wantPeriods(t, "next period", xs[1], wantPeriod{"2024-04-03", "2024-04-08", 402368}, wantPeriod{"2024-04-09", "2024-04-30", 1475604})
	if xs[1].Recipient != "101" {
		t.Errorf("recipient %q, want the municipality the report went to (101)", xs[1].Recipient)
	}

	// A correction to 120 kr/h (110.40 kr/h) replaces the report's amount.
	earn := 120.0
	deliver(events.SicknessCorrectionSubmitted, events.SicknessCorrection{AbsenceID: id, CVR: r.CVR, Explanation: "Forkert timeløn", HourlyEarnings: &earn}, at(2024, time.May, 2))
	xs = expectations(t, f, id)
	if len(xs) != 3 {
		t.Fatalf("%d refusion.expected after the correction, want 3", len(xs))
	}
	wantPeriods(t, "correction", xs[2], wantPeriod{"2024-04-03", "2024-04-08", 350078}, wantPeriod{"2024-04-09", "2024-04-30", 1475604})

	// A cancellation expects nothing.
	deliver(events.SicknessCancellationSubmitted, events.SicknessCancellation{AbsenceID: id, CVR: r.CVR, Explanation: "Forkert medarbejder"}, at(2024, time.May, 3))
	xs = expectations(t, f, id)
	if len(xs) != 4 {
		t.Fatalf("%d refusion.expected after the cancellation, want 4", len(xs))
	}
	wantPeriods(t, "cancellation", xs[3])
	if xs[3].ComputedAt <= xs[2].ComputedAt {
		t.Errorf("computedAt %s not after %s: the cancellation would not replace the correction", xs[3].ComputedAt, xs[2].ComputedAt)
	}
}

// The self-employed and the a-kasse are not paid refusion for wages (the
// self-employed get sygedagpenge themselves, sygedagpengeloven § 41), so
// their reports send no expected refusion.
func TestSelfEmployedAndAKasseReportsEmitNoExpectedRefusion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	self := blankettest.Persona(t, synth.PersonaSelfEmployed)
	id := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SicknessSelfEmployedReported, id, events.SicknessSelfEmployedReport{CPR: self.CPR.String(), CVR: self.CVR.String(),
		FirstAbsenceDay: day(time.Now().AddDate(0, 0, -5)), Insurance: "none", WeeklyHours: 40, Contact: events.Contact{Name: "S"}}))
	member := blankettest.Persona(t, synth.PersonaUnemployedMember)
	mid := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SicknessAKasseReported, mid, events.SicknessAKasseReport{CPR: member.CPR.String(), CVR: member.CVR.String(),
		FirstAbsenceDay: day(time.Now().AddDate(0, 0, -5)), ToldOn: day(time.Now().AddDate(0, 0, -4)), FullyUnemployed: true, WeeklyHours: 37,
		Contact: events.Contact{Name: "A"}}))
	for _, c := range []string{id, mid} {
		if len(runtimetest.OfType(f.Outbox(t, c), events.DeliveryRequested)) != 1 {
			t.Fatalf("%s: the report was not delivered", c)
		}
		if n := len(runtimetest.OfType(f.Outbox(t, c), events.RefusionExpected)); n != 0 {
			t.Errorf("%s: %d refusion.expected, want none", c, n)
		}
	}
}
