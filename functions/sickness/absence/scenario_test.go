package absence

import (
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Scenarios in plain language, one rule each, named after the law they follow.

func TestScenario_SDL30Stk1_SickFrom4March2024WagesPaidEmployedSince2020_RefusionFrom3April(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).employedSince(date(1, January, 2020)).reportedOn(date(20, March, 2024)).decide(t)
	if d.Absence.RefusionFrom == nil || *d.Absence.RefusionFrom != date(3, April, 2024) {
		t.Fatalf("refusion from %v, want 3 April 2024", d.Absence.RefusionFrom)
	}
	if d.Refusion.WeeklyAmount != kernel.Kr(4694, 93) {
		t.Errorf("weekly amount %s, want 4694.93 (37 h × 126.89)", d.Refusion.WeeklyAmount)
	}
	wantReason(t, d.Reasons, "sdl-30-1")
	if d.Absence.Status != StatusReported || d.Absence.ID != absenceID || d.Absence.Version != 1 {
		t.Errorf("absence %+v", d.Absence)
	}
	if d.Effects.Delivery != "sickness.report" || !d.Effects.NotifyPerson {
		t.Errorf("effects %+v: want a report to the recipient and a notification letter", d.Effects)
	}
}

func TestScenario_SDL30Stk1_HolidaysInsideTheEmployerPeriodDoNotExtendIt(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).holiday(date(25, March, 2024), date(1, April, 2024)).decide(t)
	if *d.Absence.RefusionFrom != date(3, April, 2024) {
		t.Fatalf("refusion from %s, want 3 April 2024 despite the Easter holiday", d.Absence.RefusionFrom)
	}
	wantReason(t, d.Reasons, "sdl-30-1-holidays")
}

func TestScenario_SDL30Stk2_EmployedSince9January_NoEmployerPeriod_RefusionFromDay1(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).employedSince(date(9, January, 2024)).decide(t)
	if *d.Absence.RefusionFrom != date(4, March, 2024) {
		t.Fatalf("refusion from %s, want the first absence day", d.Absence.RefusionFrom)
	}
	wantReason(t, d.Reasons, "sdl-30-2-weeks")
}

func TestScenario_FirstDayExceptions_FlexjobSection56Pregnancy_RefusionFromDay1(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		e    employee
		rule string
	}{
		"flexjob (sygedagpengeloven §§ 54–57)":       {sickFrom(date(4, March, 2024)).inFlexjob(), "sdl-first-day-flexjob"},
		"§ 56 agreement (sygedagpengeloven § 56)":    {sickFrom(date(4, March, 2024)).underSection56("KK-56-2023-117"), "sdl-56"},
		"pregnancy-related (sygedagpengeloven § 54)": {sickFrom(date(4, March, 2024)).pregnancyRelated(), "sdl-first-day-pregnancy"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := tc.e.decide(t)
			if *d.Absence.RefusionFrom != date(4, March, 2024) {
				t.Fatalf("refusion from %s, want 4 March 2024", d.Absence.RefusionFrom)
			}
			r := wantReason(t, d.Reasons, tc.rule)
			if tc.rule == "sdl-56" && r.Inputs["reference"] != "KK-56-2023-117" {
				t.Errorf("the § 56 reason does not name the agreement: %v", r.Inputs)
			}
		})
	}
}

func TestScenario_SDL40Stk1_ReportReceivedOn8AprilIsInTime_9AprilIsLate_SDL59Stk3(t *testing.T) {
	t.Parallel()
	inTime := sickFrom(date(4, March, 2024)).reportedOn(date(8, April, 2024)).decide(t)
	if inTime.Refusion.Late || *inTime.Absence.RefusionFrom != date(3, April, 2024) {
		t.Fatalf("on the deadline: late %v from %s", inTime.Refusion.Late, inTime.Absence.RefusionFrom)
	}
	late := sickFrom(date(4, March, 2024)).reportedOn(date(9, April, 2024)).decide(t)
	if !late.Refusion.Late || *late.Absence.RefusionFrom != date(9, April, 2024) {
		t.Fatalf("a day late: late %v from %s, want refusion from the day received", late.Refusion.Late, late.Absence.RefusionFrom)
	}
	wantReason(t, late.Reasons, "sdl-59-3")
}

func TestScenario_SDL59Stk6_ReportMoreThan6MonthsAfterTheFirstDayGetsNoRefusion(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).reportedOn(date(5, September, 2024)).decide(t)
	if d.Absence.RefusionFrom != nil {
		t.Fatalf("refusion from %s, want none", d.Absence.RefusionFrom)
	}
	wantReason(t, d.Reasons, "sdl-59-6")
}

func TestScenario_SDL59Stk2_NextPeriodCoversAtMost3MonthsBack(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).reportedOn(date(20, March, 2024)).decide(t)
	next, err := NextPeriod(d.Absence, events.SicknessPeriodReport{AbsenceID: absenceID, CVR: employerCVR, From: "2024-04-03", To: "2024-07-31"},
		Facts{ReceivedOn: date(15, August, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if next.Period.Covered == nil || next.Period.Covered.From != date(15, May, 2024) || next.Period.Covered.To != date(31, July, 2024) {
		t.Fatalf("covered %+v, want 15 May–31 July 2024 (3 months before 15 August)", next.Period.Covered)
	}
	wantReason(t, next.Reasons, "sdl-59-2-period")
	// 78 days × 37/7 h = 412.29 h × 126.89 kr.
	if next.Period.Amount != kernel.Kr(52315, 48) {
		t.Errorf("amount %s, want 52315.48", next.Period.Amount)
	}
	wantReason(t, next.Reasons, "sdl-47-period-amount")
	if len(next.Absence.Periods) != 1 || next.Absence.Version != 2 {
		t.Errorf("absence after the period: %+v", next.Absence)
	}
	_, err = NextPeriod(next.Absence, events.SicknessPeriodReport{AbsenceID: absenceID, CVR: employerCVR, From: "2024-07-01", To: "2024-08-10"},
		Facts{ReceivedOn: date(15, August, 2024), Rates: defaultRates(t)})
	wantFieldError(t, err, "from", "overlaps")
}

func TestScenario_SDL47And50_HighEarnerCappedAtTheMaximumRate_LowEarnerGets92Percent(t *testing.T) {
	t.Parallel()
	high := sickFrom(date(4, March, 2024)).earning(300).decide(t)
	if high.Refusion.HourlyRate != kernel.Kr(126, 89) {
		t.Errorf("300 kr/h gives %s, want the 2024 maximum 126.89", high.Refusion.HourlyRate)
	}
	low := sickFrom(date(4, March, 2024)).earning(120).decide(t)
	if low.Refusion.HourlyRate != kernel.Kr(110, 40) {
		t.Errorf("120 kr/h gives %s, want 110.40 (after 8 %% AM-bidrag)", low.Refusion.HourlyRate)
	}
	wantReason(t, low.Reasons, "sdl-47-hourly-rate")
}

func TestScenario_SDL50_NoRateFor2026_AmountLeftOpenNamingTheYear_ProvisionalRateSaysSo(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(5, January, 2026)).decide(t)
	if d.Refusion.WeeklyAmount != 0 || d.Refusion.MaxHourlyRate != 0 {
		t.Fatalf("amount %s with no rate for 2026: a guessed number", d.Refusion.WeeklyAmount)
	}
	r := wantReason(t, d.Reasons, "sdl-50-no-rate")
	if r.Inputs["year"] != 2026 {
		t.Errorf("the reason does not name 2026: %v", r.Inputs)
	}
	prov, err := defaultRates(t).WithProvisional(2026, kernel.Kr(4945, 0))
	if err != nil {
		t.Fatal(err)
	}
	p := sickFrom(date(5, January, 2026)).withRates(prov).decide(t)
	if !p.Refusion.Provisional {
		t.Error("a result with a provisional rate does not say so")
	}
	wantReason(t, p.Reasons, "sdl-50-max-rate-provisional")
}

func TestScenario_SDL53_PartialAbsence_Under4HoursAWeekCountsAsRecovered_10HoursGiveReducedRefusion(t *testing.T) {
	t.Parallel()
	under := sickFrom(date(4, March, 2024)).partlyAbsent(3.5).decide(t)
	if under.Refusion.WeeklyAmount != 0 {
		t.Errorf("3.5 hours a week gives %s, want nothing (recovered)", under.Refusion.WeeklyAmount)
	}
	wantReason(t, under.Reasons, "sdl-partial-min-4-hours")
	ten := sickFrom(date(4, March, 2024)).partlyAbsent(10).decide(t)
	if ten.Refusion.WeeklyAmount != kernel.Kr(1268, 90) {
		t.Errorf("10 hours a week gives %s, want 1268.90", ten.Refusion.WeeklyAmount)
	}
	wantReason(t, ten.Reasons, "sdl-53-partial")
}

func TestScenario_SDL32_EmploymentRequirementPrecheckFromEIndkomst_WarnsButDoesNotDecide(t *testing.T) {
	t.Parallel()
	first := date(4, March, 2024)
	met := sickFrom(first).withIncome(income(first, 160, 160, 160, 160, 160, 160)).decide(t)
	r := wantReason(t, met.Reasons, "sdl-32-employment-precheck")
	if r.Result.(map[string]any)["passed"] != true {
		t.Errorf("160 hours a month should pass: %v", r.Result)
	}
	seasonal := sickFrom(first).withIncome(income(first, 0, 0, 0, 0, 160, 160)).decide(t)
	r = wantReason(t, seasonal.Reasons, "sdl-32-employment-precheck")
	if r.Result.(map[string]any)["passed"] != false || seasonal.Absence.RefusionFrom == nil {
		t.Errorf("2 months of work should fail the pre-check without changing the refusion: %v", r.Result)
	}
}

func TestScenario_Seed003_Tasks_CommentAlways_ApplicationOnlyWithoutWages_FormOnlyWithoutLastDay(t *testing.T) {
	t.Parallel()
	wantTasks(t, sickFrom(date(4, March, 2024)).decide(t), TaskComment, TaskInformationForm)
	wantTasks(t, sickFrom(date(4, March, 2024)).noWages().decide(t), TaskComment, TaskApplication, TaskInformationForm)
	wantTasks(t, sickFrom(date(4, March, 2024)).until(date(20, April, 2024)).decide(t), TaskComment)
}

func TestScenario_SDL38_CitizenDeadline8DaysAfterTheLetter_SMSOnDay6(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).reportedOn(date(20, March, 2024)).decide(t)
	if d.Effects.TasksDeadline != date(28, March, 2024) {
		t.Errorf("tasks due %s, want 28 March 2024", d.Effects.TasksDeadline)
	}
	if sms := wantReminder(t, d, "citizen-tasks-sms", date(26, March, 2024)); !sms.SMS || sms.Audience != events.AudienceCitizen {
		t.Errorf("day-6 reminder %+v: want an SMS to the citizen", sms)
	}
	wantReminder(t, d, "citizen-tasks-deadline", date(28, March, 2024))
	// Refusion from 3 April: the next period must be asked for within 3 months.
	next := wantReminder(t, d, "employer-next-period", date(19, June, 2024))
	if next.Deadline != date(3, July, 2024) || next.Audience != events.AudienceSender {
		t.Errorf("next-period reminder %+v", next)
	}
}

func TestScenario_SDL41_SelfEmployedUninsured_3WeekDeadline_SygedagpengeFromDay15_NoCommentTaskNoLetter(t *testing.T) {
	t.Parallel()
	r := events.SicknessSelfEmployedReport{CPR: "1707754329", CVR: "32000002", FirstAbsenceDay: "2024-03-04", Insurance: "none",
		WeeklyHours: 40, Contact: events.Contact{Name: "Søren"}}
	d, err := ReportBySelfEmployed(absenceID, r, Facts{ReceivedOn: date(26, March, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if dl := wantReason(t, d.Reasons, "sdl-41-uninsured"); dl.Result != date(25, March, 2024) {
		t.Errorf("deadline %v, want 25 March 2024", dl.Result)
	}
	if late := wantReason(t, d.Reasons, "sdl-59-3-late"); late.Result != true {
		t.Error("a report on 26 March is late")
	}
	if e := wantReason(t, d.Reasons, "sdl-selfemployed-entitlement"); e.Result != date(18, March, 2024) {
		t.Errorf("entitlement from %v, want 18 March 2024", e.Result)
	}
	wantTasks(t, d, TaskInformationForm)
	if d.Effects.NotifyPerson {
		t.Error("a self-employed person gets a notification letter about their own report")
	}
}

func TestScenario_AKasse_FullyUnemployedMember_First14DaysFromTheAKasse_1WeekDeadline(t *testing.T) {
	t.Parallel()
	r := events.SicknessAKasseReport{CPR: "3001894330", CVR: "33000006", FirstAbsenceDay: "2024-03-06", ToldOn: "2024-03-07",
		FullyUnemployed: true, WeeklyHours: 37, Contact: events.Contact{Name: "A-kassen"}}
	d, err := ReportByAKasse(absenceID, r, Facts{ReceivedOn: date(12, March, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if dl := wantReason(t, d.Reasons, "akasse-report-1-week"); dl.Result != date(14, March, 2024) {
		t.Errorf("deadline %v, want 14 March 2024", dl.Result)
	}
	wantReason(t, d.Reasons, "akasse-first-14-days")
	wantTasks(t, d, TaskComment, TaskApplication, TaskInformationForm)
	if !d.Effects.NotifyPerson {
		t.Error("the member gets a notification letter (§ 1 stk. 8)")
	}
}

func TestScenario_SDL13b_EarlyFollowUp_AllowedInWeek5WhenExpectedOver8Weeks_RemindsOfTheReport(t *testing.T) {
	t.Parallel()
	r := events.SicknessEarlyFollowUpRequest{CPR: employeeCPR, CVR: employerCVR, PNumber: workplace, FirstAbsenceDay: "2024-03-04",
		ExpectedWeeks: 12, Contact: events.Contact{Name: "Lone"}}
	d, err := RequestEarlyFollowUp(absenceID, nil, r, Facts{ReceivedOn: date(1, April, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Absence.EarlyFollowUp.Allowed || *d.Absence.EarlyFollowUp.MeetingBy != date(15, April, 2024) {
		t.Fatalf("early follow-up %+v, want allowed with a meeting by 15 April", d.Absence.EarlyFollowUp)
	}
	wantReminder(t, d, "employer-report-deadline", date(1, April, 2024))
	if d.Absence.Status != StatusEarlyFollowUp || d.Effects.Delivery != "sickness.early-follow-up" {
		t.Errorf("absence %s delivery %q", d.Absence.Status, d.Effects.Delivery)
	}

	r.ExpectedWeeks = 6
	short, err := RequestEarlyFollowUp(absenceID, nil, r, Facts{ReceivedOn: date(1, April, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if short.Absence.EarlyFollowUp.Allowed || short.Effects.Delivery != "" {
		t.Error("an absence expected to last 6 weeks gives early follow-up")
	}
	wantReason(t, short.Reasons, "sdl-early-follow-up-8-weeks")

	// The report that follows attaches to the same absence.
	rep := sickFrom(date(4, March, 2024)).decide(t)
	AttachReport(&rep, d.Absence)
	if rep.Absence.EarlyFollowUp == nil || rep.Absence.Version != 2 || !rep.Effects.CancelReminders {
		t.Errorf("report after early follow-up: %+v", rep.Absence)
	}
}

func TestScenario_Recovery_LastDay19April_NoticeAndRemindersCancelled_EndedInsideEmployerPeriodGivesNothing(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).decide(t)
	rec, err := Recover(d.Absence, events.SicknessRecoveryReport{AbsenceID: absenceID, CVR: employerCVR, LastAbsenceDay: "2024-04-19"},
		Facts{ReceivedOn: date(22, April, 2024)})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Absence.Status != StatusRecovered || *rec.Absence.LastAbsenceDay != date(19, April, 2024) || !rec.Effects.CancelReminders {
		t.Fatalf("after recovery: %+v", rec.Absence)
	}
	if n := rec.Effects.Notice; n == nil || n.Kind != "recovery" || n.RegisteredOn != date(22, April, 2024) {
		t.Errorf("notice %+v, want a recovery notice registered 22 April (seeds/004 § 132)", n)
	}
	early, err := Recover(d.Absence, events.SicknessRecoveryReport{AbsenceID: absenceID, CVR: employerCVR, LastAbsenceDay: "2024-03-20"},
		Facts{ReceivedOn: date(22, March, 2024)})
	if err != nil {
		t.Fatal(err)
	}
	if early.Absence.RefusionFrom != nil {
		t.Error("an absence ending inside the employer period keeps its refusion")
	}
	wantReason(t, early.Reasons, "sdl-30-1-ended")
	_, err = Recover(d.Absence, events.SicknessRecoveryReport{AbsenceID: absenceID, CVR: "24256790", LastAbsenceDay: "2024-04-19"}, Facts{})
	wantFieldError(t, err, "absenceId", "absence.unknown")
}

func TestScenario_Correction_NewHourlyEarningsRerunTheRulesAsOfTheFirstReport(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).earning(120).reportedOn(date(20, March, 2024)).decide(t)
	c, err := Correct(d.Absence, events.SicknessCorrection{AbsenceID: absenceID, CVR: employerCVR, Explanation: "Forkert timeløn", HourlyEarnings: ptr(130.0)},
		Facts{ReceivedOn: date(1, May, 2024), Rates: defaultRates(t)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Refusion.HourlyRate != kernel.Kr(119, 60) || c.Refusion.Late {
		t.Errorf("after correction: %s late %v, want 119.60 and still in time", c.Refusion.HourlyRate, c.Refusion.Late)
	}
	if c.Reasons[0].Rule != "correction" || c.Absence.Version != 2 {
		t.Errorf("first reason %s version %d", c.Reasons[0].Rule, c.Absence.Version)
	}
}

func TestScenario_Cancellation_WithdrawsTheAbsenceAndItsSickNotice(t *testing.T) {
	t.Parallel()
	d := sickFrom(date(4, March, 2024)).decide(t)
	c, err := Cancel(d.Absence, events.SicknessCancellation{AbsenceID: absenceID, CVR: employerCVR, Explanation: "Forkert medarbejder"},
		Facts{ReceivedOn: date(21, March, 2024)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Absence.Status != StatusCancelled || c.Effects.Notice.Kind != "cancelled" || !c.Effects.CancelReminders {
		t.Fatalf("after cancellation: %+v %+v", c.Absence, c.Effects)
	}
	_, err = Recover(c.Absence, events.SicknessRecoveryReport{AbsenceID: absenceID, CVR: employerCVR, LastAbsenceDay: "2024-04-19"}, Facts{})
	wantFieldError(t, err, "absenceId", "absence.cancelled")
}

func TestReportNamesEveryBadField(t *testing.T) {
	t.Parallel()
	e := sickFrom(date(4, March, 2024)).until(date(1, March, 2024)).employedSince(date(1, April, 2024))
	_, err := ReportByEmployer(absenceID, e.r, e.facts(t))
	wantFieldError(t, err, "lastAbsenceDay", "before_first_absence_day")
	wantFieldError(t, err, "employedSince", "after_first_absence_day")
}

func ptr[T any](v T) *T { return &v }

func TestScenario_SDL55_InsuredEmployerReports_RefusionFromThe2ndAbsenceDay_Expected(t *testing.T) {
	t.Parallel()
	// The employer is insured under sygedagpengeloven § 55: sick from
	// 4 March 2024, reported 20 March, refusion from 5 March to 20 March.
	d := sickFrom(date(4, March, 2024)).insuredSection55().decide(t)
	if d.Absence.RefusionFrom == nil || *d.Absence.RefusionFrom != date(5, March, 2024) {
		t.Fatalf("refusion from %v, want 5 March 2024 (the 2nd absence day)", d.Absence.RefusionFrom)
	}
	wantReason(t, d.Reasons, "sdl-55")
	if len(d.Absence.Expected) != 1 || d.Absence.Expected[0].From != date(5, March, 2024) || d.Absence.Expected[0].To != date(20, March, 2024) {
		t.Errorf("expected %+v, want 5–20 March 2024", d.Absence.Expected)
	}
	if !d.Absence.Employer.InsuredSection55 {
		t.Error("the absence forgets the insurance (a correction would lose it)")
	}
}
