package absence

import (
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

func wantExpected(t *testing.T, got []refusion.Expected, want ...refusion.Expected) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("expected %d period(s) %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].Key != want[i].Key || got[i].Period != want[i].Period || got[i].Amount != want[i].Amount {
			t.Errorf("period %d: %s %s–%s %s, want %s %s–%s %s", i, got[i].Key, got[i].From, got[i].To, got[i].Amount,
				want[i].Key, want[i].From, want[i].To, want[i].Amount)
		}
	}
}

func exp(key string, from, to kernel.Date, amount kernel.Money) refusion.Expected {
	return refusion.Expected{Key: key, Period: refusion.Period{From: from, To: to}, Amount: amount}
}

// The employer's expected refusion per period (seeds/000 § 1 stk. 3;
// sygedagpengeloven §§ 54–59): sick from 4 March 2024, employer period
// 4 March–2 April (30 calendar days), 200 kr/h capped at the 2024 maximum 126.89 kr/h, 37 hours a
// week spread over 7 days.
func TestScenario_SDL54to59_ExpectedRefusion_ReportNextPeriodCorrectionRecoveryCancellation(t *testing.T) {
	t.Parallel()
	report := refusion.ExpectedReportKey
	next := refusion.ExpectedPeriodKey(date(9, April, 2024))

	// Reported 8 April (the § 40 deadline): 3–8 April, 6 days = 31.71 h × 126.89 kr.
	d := sickFrom(date(4, March, 2024)).reportedOn(date(8, April, 2024)).decide(t)
	if !d.Effects.Expect {
		t.Error("the report does not send its expected refusion")
	}
	wantReason(t, d.Reasons, "sdl-54-59-report-period")
	wantExpected(t, d.Absence.Expected, exp(report, date(3, April, 2024), date(8, April, 2024), kernel.Kr(4023, 68)))

	// Next period 9–30 April, asked 1 May: 22 days = 116.29 h × 126.89 kr.
	n, err := NextPeriod(d.Absence, events.SicknessPeriodReport{AbsenceID: absenceID, CVR: employerCVR, From: "2024-04-09", To: "2024-04-30"},
		Facts{ReceivedOn: date(1, May, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !n.Effects.Expect || n.Period.Amount != kernel.Kr(14756, 4) {
		t.Errorf("next period: expect %v amount %s", n.Effects.Expect, n.Period.Amount)
	}
	wantExpected(t, n.Absence.Expected,
		exp(report, date(3, April, 2024), date(8, April, 2024), kernel.Kr(4023, 68)),
		exp(next, date(9, April, 2024), date(30, April, 2024), kernel.Kr(14756, 4)))

	// A correction of the hourly earnings to 120 kr (110.40 kr/h) replaces
	// the report's amount; it is not added to the old one.
	c, err := Correct(n.Absence, events.SicknessCorrection{AbsenceID: absenceID, CVR: employerCVR, Explanation: "Forkert timeløn", HourlyEarnings: ptr(120.0)},
		Facts{ReceivedOn: date(2, May, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Effects.Expect {
		t.Error("the correction does not send the expected refusion")
	}
	wantExpected(t, c.Absence.Expected,
		exp(report, date(3, April, 2024), date(8, April, 2024), kernel.Kr(3500, 78)),
		exp(next, date(9, April, 2024), date(30, April, 2024), kernel.Kr(14756, 4)))

	// Recovered 15 April: the next period is cut to 9–15 April (7 days =
	// 37 h × 126.89 kr); refusion stops after the last day.
	r, err := Recover(n.Absence, events.SicknessRecoveryReport{AbsenceID: absenceID, CVR: employerCVR, LastAbsenceDay: "2024-04-15"},
		Facts{ReceivedOn: date(2, May, 2024)})
	if err != nil {
		t.Fatal(err)
	}
	wantExpected(t, r.Absence.Expected,
		exp(report, date(3, April, 2024), date(8, April, 2024), kernel.Kr(4023, 68)),
		exp(next, date(9, April, 2024), date(15, April, 2024), kernel.Kr(4694, 93)))

	// A correction that the employer paid no wages: no refusion, nothing expected.
	nw, err := Correct(n.Absence, events.SicknessCorrection{AbsenceID: absenceID, CVR: employerCVR, Explanation: "Ingen løn", WagesPaid: ptr(false)},
		Facts{ReceivedOn: date(2, May, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	wantExpected(t, nw.Absence.Expected)

	// A cancellation expects nothing, and says so.
	x, err := Cancel(n.Absence, events.SicknessCancellation{AbsenceID: absenceID, CVR: employerCVR, Explanation: "Forkert medarbejder"},
		Facts{ReceivedOn: date(2, May, 2024)})
	if err != nil {
		t.Fatal(err)
	}
	if !x.Effects.Expect || len(x.Absence.Expected) != 0 {
		t.Errorf("cancellation: expect %v, periods %+v; want an empty expectation sent", x.Effects.Expect, x.Absence.Expected)
	}
}

// A report inside the employer period asks no refusion yet (§§ 54–59): the
// days after are asked as next periods; a year without a rate leaves the
// report's amount open rather than guessed (§ 50).
func TestScenario_SDL54to59_ExpectedRefusion_NothingYetOrNoRate(t *testing.T) {
	t.Parallel()
	early := sickFrom(date(4, March, 2024)).reportedOn(date(8, March, 2024)).decide(t)
	if !early.Effects.Expect || len(early.Absence.Expected) != 0 {
		t.Errorf("report inside the employer period: expect %v, %+v", early.Effects.Expect, early.Absence.Expected)
	}
	wantReason(t, early.Reasons, "sdl-54-59-report-period")
	empty, err := kernel.LoadRates("")
	if err != nil {
		t.Fatal(err)
	}
	noRate := sickFrom(date(4, March, 2031)).reportedOn(date(1, April, 2031)).withRates(empty).decide(t)
	wantReason(t, noRate.Reasons, "sdl-50-no-rate")
	if len(noRate.Absence.Expected) != 0 {
		t.Errorf("no rate: %+v, want no amount guessed", noRate.Absence.Expected)
	}
}

// The report asks refusion up to the day it was received (§§ 54–59), so a
// next period may not ask for those days again (they would be expected and
// paid twice), and the § 59, stk. 2 reminder asks for the period from the
// day after.
func TestScenario_SDL59_2_NextPeriodStartsAfterTheReportPeriod(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).reportedOn(date(8, April, 2024)).decide(t)
	next := wantReminder(t, d, "employer-next-period", date(25, June, 2024))
	if next.Deadline != date(9, July, 2024) {
		t.Errorf("next-period reminder %+v, want the period from 9 April, due 9 July 2024", next)
	}
	_, err := NextPeriod(d.Absence, events.SicknessPeriodReport{AbsenceID: absenceID, CVR: employerCVR, From: "2024-04-08", To: "2024-04-30"},
		Facts{ReceivedOn: date(1, May, 2024), Rates: defaultRates(t)})
	wantFieldError(t, err, "from", "overlaps")
	if _, err := NextPeriod(d.Absence, events.SicknessPeriodReport{AbsenceID: absenceID, CVR: employerCVR, From: "2024-04-09", To: "2024-04-30"},
		Facts{ReceivedOn: date(1, May, 2024), Rates: defaultRates(t)}); err != nil {
		t.Errorf("the period from the day after the report: %v", err)
	}
}
