package absence

import (
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// askPeriod asks refusion for from–to on the absence, received the day after.
func askPeriod(t *testing.T, a Absence, from, to kernel.Date) Decision {
	t.Helper()
	d, err := NextPeriod(a, events.SicknessPeriodReport{AbsenceID: absenceID, CVR: employerCVR, From: from.String(), To: to.String()},
		Facts{ReceivedOn: to.AddDays(1), Rates: defaultRates(t)})
	if err != nil {
		t.Fatalf("period %s–%s: %v", from, to, err)
	}
	return d
}

// Sygedagpengeloven § 24: once more than 22 weeks of refusion fall within
// 9 months, the municipality is told to reassess the case, once.
func TestScenario_SDL24_RefusionPasses22WeeksWithin9Months_MunicipalityToldToReassessOnce(t *testing.T) {
	t.Parallel()
	// Sick from 4 March 2024, refusion from 3 April (after the employer period).
	d := sickFrom(date(4, March, 2024)).reportedOn(date(20, March, 2024)).decide(t)
	if d.Effects.Reassessment != nil {
		t.Fatal("the report alone gives reassessment")
	}
	// 3 April–30 June: 89 days, not more than 22 weeks (154 days).
	q2 := askPeriod(t, d.Absence, date(3, April, 2024), date(30, June, 2024))
	if q2.Effects.Reassessment != nil {
		t.Fatal("89 days of refusion give reassessment")
	}
	// 1 July–30 September: 181 days in all, more than 22 weeks.
	q3 := askPeriod(t, q2.Absence, date(1, July, 2024), date(30, September, 2024))
	r := q3.Effects.Reassessment
	if r == nil {
		t.Fatal("181 days of refusion within 9 months: the municipality is not told to reassess")
	}
	if q3.Absence.Reassessment != nil {
		t.Error("the absence says the municipality was told before the handler told it")
	}
	if r == nil || r.PaidDays != 181 || r.DueAt != date(30, September, 2024) || r.NotifiedOn != date(1, October, 2024) {
		t.Fatalf("reassessment %+v, want 181 days, due 30 September 2024, told 1 October 2024", r)
	}
	reason := wantReason(t, q3.Reasons, "sdl-24-reassessment")
	if reason.Law != "sygedagpengeloven § 24" || reason.Source == "" {
		t.Errorf("reason %+v, want sygedagpengeloven § 24 with its source", reason)
	}
	kind, due, da, en := ReassessmentDeadline(*r)
	if kind != "reassessment" || due != date(30, September, 2024) || da == "" || en == "" {
		t.Errorf("the employer's line %q %s %q %q", kind, due, da, en)
	}

	// Once per absence: once told (as the handler records it), the next
	// period and the recovery do not tell it again.
	Told(&q3)
	q4 := askPeriod(t, q3.Absence, date(1, October, 2024), date(31, October, 2024))
	if q4.Effects.Reassessment != nil || q4.Absence.Reassessment == nil || *q4.Absence.Reassessment != *r {
		t.Errorf("the next period: notice %+v, facts %+v; want no second notice and the first kept", q4.Effects.Reassessment, q4.Absence.Reassessment)
	}
	// Not told (the decision was not carried out by a submission): the next decision asks again.
	if again := askPeriod(t, q3Untold(t), date(1, October, 2024), date(31, October, 2024)); again.Effects.Reassessment == nil {
		t.Error("a reassessment never told is not asked for again")
	}
	rec, err := Recover(q4.Absence, events.SicknessRecoveryReport{AbsenceID: absenceID, CVR: employerCVR, LastAbsenceDay: "2024-10-31"},
		Facts{ReceivedOn: date(1, time.November, 2024), Rates: defaultRates(t)})
	if err != nil || rec.Effects.Reassessment != nil {
		t.Errorf("recovery: %v, notice %+v", err, rec.Effects.Reassessment)
	}
}

func TestScenario_SDL24_ExactlyAt22WeeksNothing_OneDayMoreTellsTheMunicipality(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).reportedOn(date(20, March, 2024)).decide(t)
	d = askPeriod(t, d.Absence, date(3, April, 2024), date(30, June, 2024))
	d = askPeriod(t, d.Absence, date(1, July, 2024), date(2, September, 2024)) // 153 days
	if d.Effects.Reassessment != nil {
		t.Fatal("153 days (not more than 22 weeks) give reassessment")
	}
	// The limit is passed only with refusion for more than 154 days.
	d = askPeriod(t, d.Absence, date(3, September, 2024), date(4, September, 2024)) // 155 days
	if r := d.Effects.Reassessment; r == nil || r.PaidDays != 155 {
		t.Fatalf("155 days: notice %+v", r)
	}
}

func TestScenario_SDL24_NoWagesNoRefusion_NoNoticeFromTheEmployerRules(t *testing.T) {
	t.Parallel()
	// No wages: no refusion periods, nothing to count here (the municipality
	// pays sygedagpenge itself and counts them).
	d := sickFrom(date(4, March, 2024)).noWages().reportedOn(date(20, March, 2024)).decide(t)
	if d.Effects.Reassessment != nil {
		t.Error("an absence without refusion gives a reassessment notice")
	}
}

// q3Untold is the absence after 181 days of refusion whose reassessment
// was never told.
func q3Untold(t *testing.T) Absence {
	t.Helper()
	d := sickFrom(date(4, March, 2024)).reportedOn(date(20, March, 2024)).decide(t)
	d = askPeriod(t, d.Absence, date(3, April, 2024), date(30, June, 2024))
	return askPeriod(t, d.Absence, date(1, July, 2024), date(30, September, 2024)).Absence
}
