package absence

import (
	"errors"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/sickness/refusion"
)

func wantDispensationRefused(t *testing.T, err error, code string) {
	t.Helper()
	var de refusion.DispensationError
	if !errors.As(err, &de) || de.Code != code || de.Da == "" || de.En == "" {
		t.Fatalf("error %v, want the refusal %s in Danish and English", err, code)
	}
}

// Sygedagpengeloven § 59: a late report gives refusion only from the day it
// was received, unless the municipality gives dispensation; never for a
// request more than 6 months after the first absence day.
func TestScenario_SDL59_DispensationMovesTheRefusionStartOfALateReport(t *testing.T) {
	t.Parallel()
	// Sick from 4 March 2024, reported 9 April (a day late): refusion from 9 April.
	late := sickFrom(date(4, March, 2024)).reportedOn(date(9, April, 2024)).decide(t)
	if *late.Absence.RefusionFrom != date(9, April, 2024) {
		t.Fatalf("late report: refusion from %s", late.Absence.RefusionFrom)
	}
	f := Facts{ReceivedOn: date(15, April, 2024), Rates: defaultRates(t)}
	d, err := Dispense(late.Absence, date(3, April, 2024), "NemRefusion var nede 8. april", "municipality:101", f)
	if err != nil {
		t.Fatal(err)
	}
	if *d.Absence.RefusionFrom != date(3, April, 2024) || *d.Refusion.RefusionFrom != date(3, April, 2024) {
		t.Fatalf("refusion from %s, want 3 April 2024 (the day after the employer period)", d.Absence.RefusionFrom)
	}
	r := wantReason(t, d.Reasons, "sdl-59-dispensation")
	if r.Inputs["reason"] != "NemRefusion var nede 8. april" {
		t.Errorf("the reason does not record the caseworker's reason: %v", r.Inputs)
	}
	if x := d.Absence.Dispensation; x == nil || x.By != "municipality:101" || x.DecidedOn != date(15, April, 2024) {
		t.Errorf("dispensation facts %+v", x)
	}
	if d.Absence.Version != late.Absence.Version+1 || d.Effects.Delivery != DeliveryDispensation || !d.Effects.Expect {
		t.Errorf("version %d delivery %q expect %v", d.Absence.Version, d.Effects.Delivery, d.Effects.Expect)
	}
	if len(d.Absence.Expected) != 1 || d.Absence.Expected[0].From != date(3, April, 2024) || d.Absence.Expected[0].To != date(9, April, 2024) {
		t.Errorf("expected %+v, want 3–9 April 2024", d.Absence.Expected)
	}
	// A correction later keeps the dispensation.
	earn := 150.0
	c, err := Correct(d.Absence, events.SicknessCorrection{AbsenceID: absenceID, CVR: employerCVR, Explanation: "Timeløn", HourlyEarnings: &earn}, f)
	if err != nil || *c.Absence.RefusionFrom != date(3, April, 2024) {
		t.Fatalf("after a correction: %v, refusion from %s", err, c.Absence.RefusionFrom)
	}
}

func TestScenario_SDL59_NoDispensationInTimeOrBefore_EmployerPeriodOrAfter6Months(t *testing.T) {
	t.Parallel()
	f := Facts{ReceivedOn: date(15, April, 2024), Rates: defaultRates(t)}
	inTime := sickFrom(date(4, March, 2024)).reportedOn(date(8, April, 2024)).decide(t)
	_, err := Dispense(inTime.Absence, date(3, April, 2024), "x", "municipality:101", f)
	wantDispensationRefused(t, err, "dispensation.not_late")

	late := sickFrom(date(4, March, 2024)).reportedOn(date(9, April, 2024)).decide(t)
	_, err = Dispense(late.Absence, date(2, April, 2024), "x", "municipality:101", f)
	wantFieldError(t, err, "refusionFrom", "before_earliest")
	_, err = Dispense(late.Absence, date(9, April, 2024), "x", "municipality:101", f)
	wantFieldError(t, err, "refusionFrom", "not_earlier")
	_, err = Dispense(late.Absence, date(3, April, 2024), "  ", "municipality:101", f)
	wantFieldError(t, err, "reason", "required")

	// § 59, stk. 6: received 5 September 2024, more than 6 months after 4 March.
	tooLate := sickFrom(date(4, March, 2024)).reportedOn(date(5, September, 2024)).decide(t)
	_, err = Dispense(tooLate.Absence, date(3, April, 2024), "x", "municipality:101", Facts{ReceivedOn: date(6, September, 2024), Rates: defaultRates(t)})
	wantDispensationRefused(t, err, "dispensation.beyond_6_months")
	// On the limit (4 September) a dispensation is still possible.
	onLimit := sickFrom(date(4, March, 2024)).reportedOn(date(4, September, 2024)).decide(t)
	if _, err := Dispense(onLimit.Absence, date(3, April, 2024), "x", "municipality:101", f); err != nil {
		t.Errorf("received exactly 6 months after: %v", err)
	}

	noWages := sickFrom(date(4, March, 2024)).noWages().reportedOn(date(20, April, 2024)).decide(t)
	_, err = Dispense(noWages.Absence, date(3, April, 2024), "x", "municipality:101", f)
	wantDispensationRefused(t, err, "dispensation.no_wages")
}
