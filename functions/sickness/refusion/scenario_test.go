package refusion

import (
	"errors"
	"nemrefusion.dk/functions/kernel"
	"testing"
)

// Scenarios in plain language: one absence each, from the employer's point
// of view, driving Preview as the sickness function will.

func TestScenario_SDL30Stk1_SickFrom4March2024_EmployerPeriodUntil2April_RefusionFrom3April(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).
		employedSince(date(1, January, 2020)).
		reportedOn(date(20, March, 2024)).
		preview(t)

	if !res.EmployerPeriod.Applies || *res.EmployerPeriod.From != date(4, March, 2024) || *res.EmployerPeriod.To != date(2, April, 2024) {
		t.Fatalf("employer period = %+v, want 4 March–2 April 2024", res.EmployerPeriod)
	}
	wantRefusionFrom(t, res, date(3, April, 2024))
	if res.ReportDeadline != date(8, April, 2024) || res.Late {
		t.Errorf("deadline %s late %v, want 8 April 2024 in time", res.ReportDeadline, res.Late)
	}
	if res.MaxHourlyRate != kernel.Kr(126, 89) || res.HourlyRate != kernel.Kr(126, 89) || res.WeeklyAmount != kernel.Kr(4694, 93) || res.Provisional {
		t.Errorf("rates %s/%s/%s provisional %v", res.MaxHourlyRate, res.HourlyRate, res.WeeklyAmount, res.Provisional)
	}
	for _, rule := range []string{"sdl-30-1", "sdl-30-2", "sdl-30-2-hours-assumed", "sdl-40-1", "sdl-59-3-late", "sdl-59-2", "sdl-50-max-rate", "sdl-47-hourly-rate", "sdl-47-weekly-amount"} {
		wantReason(t, res.Reasons, rule)
	}
}

func TestScenario_SDL40Stk1_ReportReceivedOnTheDeadline8AprilIsInTime(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).reportedOn(date(8, April, 2024)).preview(t)
	if res.Late {
		t.Error("a report received on the deadline is late")
	}
	wantRefusionFrom(t, res, date(3, April, 2024))
}

func TestScenario_SDL59Stk3_ReportReceived9AprilIsLate_RefusionOnlyFromThatDay(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).reportedOn(date(9, April, 2024)).preview(t)
	if !res.Late {
		t.Error("a report the day after the deadline is in time")
	}
	wantRefusionFrom(t, res, date(9, April, 2024))
	wantReason(t, res.Reasons, "sdl-59-3")
}

func TestScenario_SDL59Stk6_RequestMoreThan6MonthsAfterFirstDayGetsNothing(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).reportedOn(date(5, September, 2024)).preview(t)
	wantNoRefusion(t, res)
	wantReason(t, res.Reasons, "sdl-59-6")

	onTheLimit := sickFrom(date(4, March, 2024)).reportedOn(date(4, September, 2024)).preview(t)
	wantRefusionFrom(t, onTheLimit, date(4, September, 2024))
}

func TestScenario_SDL30Stk1_AbsenceEndsInsideEmployerPeriod_NoRefusion(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).until(date(2, April, 2024)).preview(t)
	wantNoRefusion(t, res)
	wantReason(t, res.Reasons, "sdl-30-1-ended")

	oneDayMore := sickFrom(date(4, March, 2024)).until(date(3, April, 2024)).preview(t)
	wantRefusionFrom(t, oneDayMore, date(3, April, 2024))
}

func TestScenario_SDL59Stk4_LateButEndedWithin30Days_LatenessExplainedAsIrrelevant(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).until(date(20, March, 2024)).reportedOn(date(15, April, 2024)).preview(t)
	wantNoRefusion(t, res)
	if !res.Late {
		t.Error("want late")
	}
	r := wantReason(t, res.Reasons, "sdl-30-1-ended")
	if r.Law != "sygedagpengeloven § 30, stk. 1 og § 59, stk. 4" {
		t.Errorf("law = %q, want it to name § 59, stk. 4", r.Law)
	}
}

func TestScenario_SDL30Stk2_NewlyEmployed_NoEmployerPeriod_RefusionFromDay1(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).employedSince(date(9, January, 2024)).preview(t)
	if res.EmployerPeriod.Applies {
		t.Fatalf("employer period applies for an employee of less than 8 weeks")
	}
	wantRefusionFrom(t, res, date(4, March, 2024))
	wantReason(t, res.Reasons, "sdl-30-2-weeks")

	eightWeeks := sickFrom(date(4, March, 2024)).employedSince(date(8, January, 2024)).preview(t)
	wantRefusionFrom(t, eightWeeks, date(3, April, 2024))
}

func TestScenario_SDL30Stk2_Under74HoursInLast8Weeks_RefusionFromDay1(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).hoursLast8Weeks(60).preview(t)
	wantRefusionFrom(t, res, date(4, March, 2024))
	wantNoReason(t, res.Reasons, "sdl-30-2-hours-assumed")

	assumedShort := sickFrom(date(4, March, 2024)).hoursPerWeek(9).preview(t)
	wantRefusionFrom(t, assumedShort, date(4, March, 2024))
	wantReason(t, assumedShort.Reasons, "sdl-30-2-hours-assumed")
}

func TestScenario_SDL59Stk4_NewlyEmployedShortAbsenceReportedLate_Covers3MonthsBack(t *testing.T) {
	t.Parallel()
	s := sickFrom(date(4, March, 2024)).employedSince(date(1, February, 2024)).until(date(20, March, 2024))
	res := s.reportedOn(date(10, May, 2024)).preview(t)
	if !res.Late {
		t.Error("want late")
	}
	wantRefusionFrom(t, res, date(4, March, 2024))
	wantReason(t, res.Reasons, "sdl-59-4")

	tooLate := s.reportedOn(date(25, June, 2024)).preview(t) // 3 months back is 25 March, after the absence
	wantNoRefusion(t, tooLate)
	wantReason(t, tooLate.Reasons, "sdl-59-nothing-left")
}

func TestScenario_FirstDayRefusion_FlexjobSection56Pregnancy_RefusionFrom4March(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]scenario{
		"flexjob":           sickFrom(date(4, March, 2024)).inFlexjob(),
		"§ 56 agreement":    sickFrom(date(4, March, 2024)).underSection56(),
		"pregnancy-related": sickFrom(date(4, March, 2024)).pregnancyRelated(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := s.preview(t)
			if res.EmployerPeriod.Applies {
				t.Error("employer period applies")
			}
			wantRefusionFrom(t, res, date(4, March, 2024))
		})
	}
}

func TestScenario_SDL56_ShortAbsenceMayBeReportedWithin3Months(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).underSection56().until(date(15, March, 2024)).reportedOn(date(1, June, 2024)).preview(t)
	if res.ReportDeadline != date(4, June, 2024) || res.Late {
		t.Errorf("deadline %s late %v, want 4 June 2024 in time", res.ReportDeadline, res.Late)
	}
	wantRefusionFrom(t, res, date(4, March, 2024))
	wantReason(t, res.Reasons, "sdl-56-30-days")
}

func TestScenario_SDL54_NoWagesPaid_NoRefusionToEmployer(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).noWages().preview(t)
	wantNoRefusion(t, res)
	wantReason(t, res.Reasons, "sdl-54-no-wages")
	// The employer pays sygedagpenge in the employer period: report 1 week after it ends (§ 40, stk. 2).
	if res.ReportDeadline != date(9, April, 2024) {
		t.Errorf("deadline %s, want 9 April 2024", res.ReportDeadline)
	}
	wantReason(t, res.Reasons, "sdl-40-2")
	// The rate is still reported, for the year of the first absence day.
	if res.MaxHourlyRate != kernel.Kr(126, 89) {
		t.Errorf("max hourly rate %s", res.MaxHourlyRate)
	}

	newHire := sickFrom(date(4, March, 2024)).employedSince(date(1, March, 2024)).noWages().preview(t)
	wantNoRefusion(t, newHire)
	if newHire.ReportDeadline != date(18, March, 2024) {
		t.Errorf("deadline %s, want 18 March 2024 (§ 40, stk. 3)", newHire.ReportDeadline)
	}
}

func TestScenario_SDL47_EarningsBelowMaximum_HourlyRateIsEarningsAfterAMBidrag(t *testing.T) {
	t.Parallel()
	res := sickFrom(date(4, March, 2024)).earning(130, 0).hoursPerWeek(30).preview(t)
	if res.HourlyRate != kernel.Kr(119, 60) || res.WeeklyAmount != kernel.Kr(3588, 0) {
		t.Errorf("hourly %s weekly %s, want 119.60 and 3588.00", res.HourlyRate, res.WeeklyAmount)
	}
}

func TestScenario_SDL50_RateIsThatOfTheYearRefusionStarts(t *testing.T) {
	t.Parallel()
	// Sick from 1 December 2023: employer period until 30 December, refusion from 31 December 2023.
	dec := sickFrom(date(1, December, 2023)).preview(t)
	wantRefusionFrom(t, dec, date(31, December, 2023))
	if dec.MaxHourlyRate != kernel.Kr(122, 97) {
		t.Errorf("max hourly rate %s, want the 2023 rate 122.97", dec.MaxHourlyRate)
	}
	// Sick from 3 December 2023: refusion from 2 January 2024 uses the 2024 rate.
	jan := sickFrom(date(3, December, 2023)).preview(t)
	wantRefusionFrom(t, jan, date(2, January, 2024))
	if jan.MaxHourlyRate != kernel.Kr(126, 89) {
		t.Errorf("max hourly rate %s, want the 2024 rate 126.89", jan.MaxHourlyRate)
	}
}

func TestScenario_SDL50_YearWithoutRate2025_ErrNoRate(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]scenario{
		"sick in 2025":                         sickFrom(date(6, January, 2025)),
		"sick in December 2024, refusion 2025": sickFrom(date(10, December, 2024)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := s.tryPreview(t)
			var nr kernel.ErrNoRate
			if !errors.As(err, &nr) || nr.Year != 2025 {
				t.Fatalf("error %v, want ErrNoRate{2025}", err)
			}
		})
	}
}

func TestScenario_SDL50_ProvisionalRate2025IsFlagged(t *testing.T) {
	t.Parallel()
	rates, err := defaultTable(t).WithProvisional(2025, kernel.Kr(4810, 0))
	if err != nil {
		t.Fatal(err)
	}
	res := sickFrom(date(6, January, 2025)).withRates(rates).preview(t)
	if !res.Provisional || res.MaxHourlyRate != kernel.Kr(130, 0) {
		t.Errorf("provisional %v max %s, want provisional 130.00", res.Provisional, res.MaxHourlyRate)
	}
	wantReason(t, res.Reasons, "sdl-50-max-rate-provisional")

	published := sickFrom(date(4, March, 2024)).withRates(rates).preview(t)
	if published.Provisional {
		t.Error("a 2024 preview is flagged provisional")
	}
}

func TestScenario_SDL55_InsuredSmallEmployer_SickFrom4March2024_RefusionFrom5March(t *testing.T) {
	t.Parallel()
	// An employer insured under sygedagpengeloven § 55 gets refusion from
	// the employee's 2nd absence day instead of after the employer period.
	res := sickFrom(date(4, March, 2024)).insuredSection55().reportedOn(date(20, March, 2024)).preview(t)
	wantRefusionFrom(t, res, date(5, March, 2024))
	r := wantReason(t, res.Reasons, "sdl-55")
	if r.Law != "sygedagpengeloven § 55" || r.Source == "" {
		t.Errorf("the reason cites %q (%q), want sygedagpengeloven § 55 with its source", r.Law, r.Source)
	}
	// The rules for reporting are otherwise the same: the deadline still
	// follows the employer period (§ 40, stk. 1) and is 8 April 2024.
	if res.ReportDeadline != date(8, April, 2024) || res.Late {
		t.Errorf("deadline %s late %v, want 8 April 2024 in time", res.ReportDeadline, res.Late)
	}

	// Without the insurance the same absence gives refusion only from 3 April.
	uninsured := sickFrom(date(4, March, 2024)).reportedOn(date(20, March, 2024)).preview(t)
	wantRefusionFrom(t, uninsured, date(3, April, 2024))
	wantNoReason(t, uninsured.Reasons, "sdl-55")

	// A one-day absence gives no refusion: the 1st day is the employer's.
	oneDay := sickFrom(date(4, March, 2024)).insuredSection55().until(date(4, March, 2024)).preview(t)
	wantNoRefusion(t, oneDay)

	// A late report still gives refusion only from the day it was received (§ 59, stk. 3).
	late := sickFrom(date(4, March, 2024)).insuredSection55().reportedOn(date(9, April, 2024)).preview(t)
	wantRefusionFrom(t, late, date(9, April, 2024))
}

func TestScenario_SDL55_InsuredButNewlyEmployed_RefusionFromDay1AsWithoutEmployerPeriod(t *testing.T) {
	t.Parallel()
	// Under 8 weeks' employment there is no employer period (§ 30, stk. 2):
	// refusion from the 1st day, which the § 55 insurance cannot improve.
	res := sickFrom(date(4, March, 2024)).employedSince(date(1, February, 2024)).insuredSection55().preview(t)
	wantRefusionFrom(t, res, date(4, March, 2024))
	wantNoReason(t, res.Reasons, "sdl-55")
}
