package absence

import (
	"errors"
	"fmt"
	"strconv"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/functions/sickness/refusion"
)

// CitizenDeadlineDays is the sick person's deadline for their tasks after
// the letter (sygedagpengeloven § 38 and § 40, stk. 5); the SMS reminder
// goes on SMSReminderDay (seeds/003).
const (
	CitizenDeadlineDays = 8
	SMSReminderDay      = 6
)

// Task names (events.CitizenTasksRequest).
const (
	TaskComment         = "comment"
	TaskApplication     = "sygedagpenge-application"
	TaskInformationForm = "information-form"
)

// parser turns a blanket's strings into domain values, collecting errors.
type parser struct{ fe events.FieldErrors }

func (p *parser) date(field, s string) kernel.Date {
	if s == "" {
		return kernel.Date{}
	}
	d, err := kernel.ParseDate(s)
	if err != nil {
		p.fe.Add(field, "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
	}
	return d
}

func (p *parser) optDate(field, s string) *kernel.Date {
	if s == "" {
		return nil
	}
	d := p.date(field, s)
	return &d
}

func (p *parser) money(field string, kr float64) kernel.Money {
	m, err := kernel.ParseKr(strconv.FormatFloat(kr, 'f', -1, 64))
	if err != nil {
		p.fe.Add(field, "amount", "Beløbet skal være i kroner med højst to decimaler.", "The amount must be in kroner with at most two decimals.")
	}
	return m
}

func (p *parser) err() error {
	if len(p.fe) == 0 {
		return nil
	}
	return p.fe
}

// ReportByEmployer decides an employer's report of sickness absence with
// its request for refusion (events.SicknessEmployerReport) as a new absence
// with id: the employer period and its exceptions (§ 30, § 56, flexjob,
// pregnancy), the report deadline and late reporting (§ 40, § 59, with the
// 3-month look-back and the 6-month limit), the amount (§§ 47, 50), partial
// absence (under 4 hours a week counts as recovered), and the employment
// requirement pre-check (§ 32). A year without a rate leaves the amount
// open with a reason naming the year, never a guessed number. Bad input
// gives events.FieldErrors.
func ReportByEmployer(id string, r events.SicknessEmployerReport, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	var p parser
	a := Absence{
		ID: id, Kind: KindEmployee, Status: StatusReported,
		CPR: r.CPR, CVR: r.CVR, PNumber: r.PNumber,
		FirstAbsenceDay: p.date("firstAbsenceDay", r.FirstAbsenceDay),
		LastAbsenceDay:  p.optDate("lastAbsenceDay", r.LastAbsenceDay),
		ReportedOn:      f.ReceivedOn,
		Employer: &EmployerFacts{
			WeeklyHours: r.WeeklyHours, Schedule: r.Schedule, WagesPaid: r.WagesPaid,
			EmployedSince: p.date("employedSince", r.EmployedSince), HoursLast8Weeks: r.HoursLast8Weeks,
			PregnancyRelated: r.PregnancyRelated, Flexjob: r.Flexjob, InsuredSection55: r.InsuredSection55,
			Retention: r.Retention, Contact: r.Contact,
		},
	}
	if r.WagesPaid || r.HourlyEarnings > 0 {
		a.Employer.HourlyEarnings = p.money("hourlyEarnings", r.HourlyEarnings)
	}
	if r.Section56 != nil {
		a.Employer.Section56 = r.Section56.Reference
	}
	if r.PartialAbsence != nil {
		h := r.PartialAbsence.HoursPerWeek
		a.Employer.PartialHours = &h
	}
	for i, h := range r.Holidays {
		a.Employer.Holidays = append(a.Employer.Holidays, refusion.Period{
			From: p.date(fmt.Sprintf("holidays.%d.from", i), h.From), To: p.date(fmt.Sprintf("holidays.%d.to", i), h.To)})
	}
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	d, err := decideEmployer(a, f)
	if err != nil {
		return Decision{}, err
	}
	d.Absence.Version = 1
	d.Effects.Delivery = "sickness.report"
	d.Effects.NotifyPerson = true
	d.Effects.Notice = &Notice{Kind: "sick", First: a.FirstAbsenceDay, Last: a.LastAbsenceDay, RegisteredOn: f.ReceivedOn}
	d.Effects.Tasks = employeeTasks(a.Employer.WagesPaid, a.LastAbsenceDay != nil)
	d.Effects.TasksDeadline = f.ReceivedOn.AddDays(CitizenDeadlineDays)
	d.Effects.Reminders = append(citizenReminders(f.ReceivedOn), d.Effects.Reminders...)
	return d, nil
}

// employeeTasks are the sick employee's tasks (seeds/003): always comment on
// the report; apply for sygedagpenge only when the employer pays no wages;
// fill in the information form only when no last absence day was given.
func employeeTasks(wagesPaid, lastDayKnown bool) []string {
	tasks := []string{TaskComment}
	if !wagesPaid {
		tasks = append(tasks, TaskApplication)
	}
	if !lastDayKnown {
		tasks = append(tasks, TaskInformationForm)
	}
	return tasks
}

// employerPreviewInput is what the refusion rules see of an employer's
// absence, as of the day of its report.
func employerPreviewInput(a Absence) refusion.PreviewInput {
	e := a.Employer
	in := refusion.PreviewInput{
		FirstAbsenceDay: a.FirstAbsenceDay, LastAbsenceDay: a.LastAbsenceDay, EmployedSince: e.EmployedSince,
		HoursLast8Weeks: e.HoursLast8Weeks, WagesPaid: e.WagesPaid, HourlyEarnings: e.HourlyEarnings,
		WeeklyHours: e.WeeklyHours, Section56: e.Section56 != "", PregnancyRelated: e.PregnancyRelated,
		Flexjob: e.Flexjob, InsuredSection55: e.InsuredSection55, ReceivedOn: a.ReportedOn,
	}
	if !e.WagesPaid && in.HourlyEarnings == 0 {
		in.HourlyEarnings = 1 // not used for the amount: no wages, no refusion; keeps Validate quiet
	}
	return in
}

// decideEmployer applies the refusion rules to an employer's absence as it
// stands; it is shared by the report and the correction.
func decideEmployer(a Absence, f Facts) (Decision, error) {
	e := a.Employer
	in := employerPreviewInput(a)
	res, err := refusion.PreviewDates(in)
	if err != nil {
		return Decision{}, err
	}
	res = dispensed(a, in, res)
	d := Decision{Absence: a}
	full, err := refusion.ApplyRate(res, in, f.Rates)
	var noRate kernel.ErrNoRate
	switch {
	case errors.As(err, &noRate):
		res.Reasons = append(res.Reasons, NoRateReason(noRate))
	case err != nil:
		return Decision{}, err
	default:
		res = full
	}
	if !e.WagesPaid {
		res.HourlyRate, res.WeeklyAmount = 0, 0
	}
	if e.Section56 != "" {
		for i, r := range res.Reasons {
			if r.Rule == "sdl-56" {
				res.Reasons[i].Inputs = map[string]any{"section56": true, "reference": e.Section56}
			}
		}
		if f.Section56 != nil {
			res.Reasons = append(res.Reasons, *f.Section56)
		}
	}
	if len(e.Holidays) > 0 && res.EmployerPeriod.Applies {
		res.Reasons = append(res.Reasons, holidaysReason(e.Holidays, res.EmployerPeriod))
	}
	if e.PartialHours != nil && err == nil && e.WagesPaid {
		pr, perr := refusion.PartialAbsence(refusion.PartialAbsenceInput{HoursAbsent: *e.PartialHours, WeeklyHours: e.WeeklyHours, HourlyRate: res.HourlyRate})
		if perr != nil {
			return Decision{}, fieldsUnder("partialAbsence", perr)
		}
		res.WeeklyAmount = pr.WeeklyAmount
		res.Reasons = append(res.Reasons, pr.Reasons...)
	} else if e.PartialHours != nil && *e.PartialHours < refusion.MinPartialAbsenceHours {
		res.Reasons = append(res.Reasons, partialRecoveredReason(*e.PartialHours))
	}
	if f.Employment != nil {
		res.Reasons = append(res.Reasons, EmploymentReason(*f.Employment))
	}
	d.Absence.RefusionFrom = res.RefusionFrom
	d.Refusion = &res
	d.Reasons = res.Reasons
	var pr kernel.Reason
	d.Absence.Expected, pr, d.Absence.RatePending = expectReport(d.Absence, res, f.Rates, err)
	d.Reasons = append(d.Reasons, pr)
	d.Effects.Expect = true
	if r, ok := nextPeriodReminder(d.Absence); ok {
		d.Effects.Reminders = append(d.Effects.Reminders, r)
	}
	checkReassessment(&d, f)
	return d, nil
}

// expectReport puts the expected refusion of the report's refusion period
// (refusion.ReportPeriod, §§ 54–59) in place of the earlier one and fits
// every expected period to the refusion the absence now gives
// (refusion.Clip). The period is expected at the rate in force on each of
// its days (expectByRate: a period spanning the first Monday of January is
// split there, § 50, stk. 1). Without a rate (rateErr, the report's rate
// year, or a day of the period without one) the report's period expects no
// amount: it waits for the rate (RatePending, Recompute), and the event
// cannot say "unknown", so the period is left out rather than guessed.
func expectReport(a Absence, res refusion.PreviewResult, rates kernel.Table, rateErr error) ([]refusion.Expected, kernel.Reason, []RatePending) {
	e := a.Employer
	list := withoutKey(a.Expected, refusion.ExpectedReportKey)
	pending := putPending(a.RatePending, refusion.ExpectedReportKey, nil)
	p, r := refusion.ReportPeriod(res.RefusionFrom, a.LastAbsenceDay, a.ReportedOn)
	if !e.WagesPaid || res.RefusionFrom == nil {
		return refusion.Clip(list, res.RefusionFrom, a.LastAbsenceDay), r, pending
	}
	var x rated
	err := rateErr
	if p != nil && err == nil {
		x, err = expectByRate(refusion.ExpectedReportKey, *p, *e, rates)
	}
	at := refusion.Period{From: *res.RefusionFrom, To: *res.RefusionFrom}
	if p != nil {
		at = *p
	}
	if err == nil && !x.provisonal && res.Provisional {
		x.provisonal, x.provYear = true, rates.YearOn(*res.RefusionFrom)
		if r, err := rates.Rate(x.provYear); err == nil {
			x.provWeekly = r.Weekly
		}
	}
	pending = putPending(pending, refusion.ExpectedReportKey, pendingOf(refusion.ExpectedReportKey, nil, at, x, err))
	if p != nil && err == nil {
		x.expected[0].Reasons = append([]kernel.Reason{r}, x.expected[0].Reasons...)
		for _, ex := range x.expected {
			list = refusion.Replace(list, ex)
		}
	}
	return refusion.Clip(list, res.RefusionFrom, a.LastAbsenceDay), r, pending
}

// fieldsUnder prefixes the fields of field errors in err.
func fieldsUnder(prefix string, err error) error {
	var fe events.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	out := make(events.FieldErrors, len(fe))
	for i, e := range fe {
		e.Field = prefix + "." + e.Field
		out[i] = e
	}
	return out
}

func holidaysReason(h []refusion.Period, ep refusion.EmployerPeriod) kernel.Reason {
	return kernel.Reason{
		Rule: "sdl-30-1-holidays", Law: "sygedagpengeloven § 30, stk. 1",
		Source: "https://danskelove.dk/sygedagpengeloven/30",
		TextDa: fmt.Sprintf("Ferie og fridage i perioden forlænger ikke arbejdsgiverperioden; den slutter stadig %s.", ep.To.Danish()),
		TextEn: fmt.Sprintf("Holidays and days off in the period do not extend the employer period; it still ends on %s.", ep.To.English()),
		Inputs: map[string]any{"holidays": h}, Result: ep,
	}
}

func partialRecoveredReason(hours float64) kernel.Reason {
	return kernel.Reason{
		Rule: "sdl-partial-min-4-hours", Law: "sygedagpengeloven § 53 (delvis uarbejdsdygtighed, mindst 4 timer om ugen)",
		Source: "https://www.cabiweb.dk/lovstof/delvis-uarbejdsdygtighed/",
		TextDa: fmt.Sprintf("Fraværet er %.2f timer om ugen, under 4 timer. Personen regnes for rask.", hours),
		TextEn: fmt.Sprintf("The absence is %.2f hours a week, under 4 hours. The person counts as recovered.", hours),
		Inputs: map[string]any{"hoursAbsent": hours}, Result: map[string]any{"recovered": true},
	}
}

// EmploymentReason records the employment requirement pre-check from
// eIndkomst (sygedagpengeloven § 32): a warning, not a decision — the
// municipality decides.
func EmploymentReason(r rules.Result) kernel.Reason {
	return kernel.Reason{
		Rule: "sdl-32-employment-precheck", Law: r.Reference, Source: r.Source,
		TextDa: r.TextDa, TextEn: r.TextEn,
		Inputs: map[string]any{"from": r.From, "to": r.To, "months": r.Months},
		Result: map[string]any{"passed": r.Passed, "totalHours": r.TotalHours, "monthsWithAtLeast40": r.MonthsWithAtLeast40, "noIncome": r.NoIncome},
	}
}

// citizenReminders are the sick person's reminders: an SMS on day 6 (sent
// only to those signed up for NemSMS) and the deadline on day 8 after the
// letter (§ 38; seeds/003).
func citizenReminders(letterOn kernel.Date) []Reminder {
	deadline := letterOn.AddDays(CitizenDeadlineDays)
	return []Reminder{{
		Key: "tasks/sms-day-6", Kind: "citizen-tasks-sms", Audience: events.AudienceCitizen, Subject: events.SubjectTasks,
		Due: letterOn.AddDays(SMSReminderDay), Deadline: deadline, SMS: true, Law: "sygedagpengeloven § 38",
		TitleDa: "Husk dine opgaver i Mit Sygefravær", TitleEn: "Remember your tasks in Mit Sygefravær",
		BodyDa: fmt.Sprintf("Du har opgaver i Mit Sygefravær med frist %s.", deadline.Danish()),
		BodyEn: fmt.Sprintf("You have tasks in Mit Sygefravær due %s.", deadline.English()),
	}, {
		Key: "tasks/deadline", Kind: "citizen-tasks-deadline", Audience: events.AudienceCitizen, Subject: events.SubjectTasks,
		Due: deadline, Deadline: deadline, Law: "sygedagpengeloven § 38 og § 40, stk. 5",
		TitleDa: "Fristen for dine opgaver er i dag", TitleEn: "Your tasks are due today",
		BodyDa: fmt.Sprintf("Fristen for dine opgaver i Mit Sygefravær er %s.", deadline.Danish()),
		BodyEn: fmt.Sprintf("Your tasks in Mit Sygefravær are due %s.", deadline.English()),
	}}
}

// NextPeriodNoticeDays is how long before the 3-month look-back runs out
// the employer is reminded to ask for the next period.
const NextPeriodNoticeDays = 14

// nextPeriodReminder reminds an employer paying wages for an absence still
// running that a request for refusion covers at most 3 months back
// (§ 59, stk. 2): the next period must be asked for before the refusion
// already decided is 3 months old.
func nextPeriodReminder(a Absence) (Reminder, bool) {
	if a.Employer == nil || !a.Employer.WagesPaid || a.LastAbsenceDay != nil || a.RefusionFrom == nil {
		return Reminder{}, false
	}
	start := *a.RefusionFrom
	if n := len(a.Periods); n > 0 {
		start = a.Periods[n-1].To.AddDays(1)
	}
	if !start.After(a.ReportedOn) {
		// The report asked refusion up to the day it was received
		// (refusion.ReportPeriod); the next period starts the day after.
		start = a.ReportedOn.AddDays(1)
	}
	deadline := start.AddMonths(refusion.BackdatingMonths)
	return Reminder{
		Key: "next-period", Kind: "employer-next-period", Audience: events.AudienceSender, Subject: events.SubjectAbsence,
		Due: deadline.AddDays(-NextPeriodNoticeDays), Deadline: deadline, Law: "sygedagpengeloven § 59, stk. 2",
		TitleDa: "Søg refusion for næste periode", TitleEn: "Request reimbursement for the next period",
		BodyDa: fmt.Sprintf("En anmodning om refusion dækker højst 3 måneder tilbage. Søg for perioden fra %s senest %s.", start.Danish(), deadline.Danish()),
		BodyEn: fmt.Sprintf("A request for reimbursement covers at most 3 months back. Ask for the period from %s by %s.", start.English(), deadline.English()),
	}, true
}

// ReportBySelfEmployed decides a self-employed person's report of their own
// sickness (events.SicknessSelfEmployedReport): the § 41 deadline (3 weeks
// uninsured, 1 week after the entitlement starts when insured), lateness,
// and when sygedagpenge from the municipality start. The person gets no
// notification letter (they are the sender) and no comment task; the
// information form only when no last day was given.
func ReportBySelfEmployed(id string, r events.SicknessSelfEmployedReport, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	var p parser
	a := Absence{
		ID: id, Kind: KindSelfEmployed, Status: StatusReported, CPR: r.CPR, CVR: r.CVR, PNumber: r.PNumber,
		FirstAbsenceDay: p.date("firstAbsenceDay", r.FirstAbsenceDay), LastAbsenceDay: p.optDate("lastAbsenceDay", r.LastAbsenceDay),
		ReportedOn: f.ReceivedOn, Version: 1,
		SelfEmployed: &SelfEmployedFacts{Insurance: refusion.Insurance(r.Insurance), WeeklyHours: r.WeeklyHours,
			IncapacityPercent: r.IncapacityPercent, PregnancyRelated: r.PregnancyRelated, Contact: r.Contact},
	}
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	if a.LastAbsenceDay != nil {
		a.Status = StatusRecovered
	}
	d := Decision{Absence: a}
	dl, err := refusion.Deadlines(refusion.DeadlineInput{Sender: refusion.SenderSelfEmployed, FirstAbsenceDay: a.FirstAbsenceDay, Insurance: a.SelfEmployed.Insurance})
	if err != nil {
		return Decision{}, err
	}
	_, late := refusion.IsLate(dl.Date, f.ReceivedOn)
	start, startReason := refusion.SelfEmployedEntitlement(a.FirstAbsenceDay, a.SelfEmployed.Insurance)
	d.Reasons = append(d.Reasons, dl.Reason, late, startReason)
	if a.LastAbsenceDay != nil && a.LastAbsenceDay.Before(start) {
		d.Reasons = append(d.Reasons, kernel.Reason{
			Rule: "sdl-41-ended-before-entitlement", Law: "sygedagpengeloven § 41", Source: "https://danskelove.dk/sygedagpengeloven/41",
			TextDa: fmt.Sprintf("Sygdommen sluttede %s, før retten til sygedagpenge indtrådte (%s). Der udbetales ikke sygedagpenge.", a.LastAbsenceDay.Danish(), start.Danish()),
			TextEn: fmt.Sprintf("The sickness ended on %s, before the entitlement started (%s). No sygedagpenge are paid.", a.LastAbsenceDay.English(), start.English()),
			Inputs: map[string]any{"lastAbsenceDay": *a.LastAbsenceDay, "entitlementFrom": start}, Result: nil,
		})
	}
	if f.Employment != nil {
		d.Reasons = append(d.Reasons, EmploymentReason(*f.Employment))
	}
	d.Effects = Effects{Delivery: "sickness.selfemployed.report", Notice: &Notice{Kind: "sick", First: a.FirstAbsenceDay, Last: a.LastAbsenceDay, RegisteredOn: f.ReceivedOn}}
	if a.LastAbsenceDay == nil {
		d.Effects.Tasks = []string{TaskInformationForm}
		d.Effects.TasksDeadline = f.ReceivedOn.AddDays(CitizenDeadlineDays)
		d.Effects.Reminders = citizenReminders(f.ReceivedOn)
	}
	return d, nil
}

// ReportByAKasse decides an a-kasse's report of an unemployed member's
// sickness (events.SicknessAKasseReport): the 1-week deadline after the
// a-kasse was told, the a-kasse's first 14 days for a fully unemployed
// member, and the employment requirement pre-check. The member gets a
// notification letter and the tasks: comment, apply for sygedagpenge (no
// wages are paid) and, without a last day, the information form.
func ReportByAKasse(id string, r events.SicknessAKasseReport, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	var p parser
	a := Absence{
		ID: id, Kind: KindUnemployed, Status: StatusReported, CPR: r.CPR, CVR: r.CVR,
		FirstAbsenceDay: p.date("firstAbsenceDay", r.FirstAbsenceDay), LastAbsenceDay: p.optDate("lastAbsenceDay", r.LastAbsenceDay),
		ReportedOn: f.ReceivedOn, Version: 1,
		AKasse: &AKasseFacts{ToldOn: p.date("toldOn", r.ToldOn), FullyUnemployed: r.FullyUnemployed, WeeklyHours: r.WeeklyHours, Contact: r.Contact},
	}
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	if a.LastAbsenceDay != nil {
		a.Status = StatusRecovered
	}
	d := Decision{Absence: a}
	told := a.AKasse.ToldOn
	dl, err := refusion.Deadlines(refusion.DeadlineInput{Sender: refusion.SenderAKasse, FirstAbsenceDay: a.FirstAbsenceDay, ToldOn: &told})
	if err != nil {
		return Decision{}, err
	}
	_, late := refusion.IsLate(dl.Date, f.ReceivedOn)
	d.Reasons = append(d.Reasons, dl.Reason, late)
	if r.FullyUnemployed {
		_, _, _, first14 := refusion.AKasseFirstDays(a.FirstAbsenceDay)
		d.Reasons = append(d.Reasons, first14)
	}
	if f.Employment != nil {
		d.Reasons = append(d.Reasons, EmploymentReason(*f.Employment))
	}
	d.Effects = Effects{
		Delivery: "sickness.akasse.report", NotifyPerson: true,
		Notice:        &Notice{Kind: "sick", First: a.FirstAbsenceDay, Last: a.LastAbsenceDay, RegisteredOn: f.ReceivedOn},
		Tasks:         employeeTasks(false, a.LastAbsenceDay != nil),
		TasksDeadline: f.ReceivedOn.AddDays(CitizenDeadlineDays),
		Reminders:     citizenReminders(f.ReceivedOn),
	}
	return d, nil
}

// RequestEarlyFollowUp decides an employer's request for early follow-up
// (§ 13 b, §§ 7 c–7 e): allowed within the first 5 weeks of an absence
// expected to exceed 8 weeks; the municipality then holds the first meeting
// within 2 weeks. prior is the absence the request belongs to when the
// employer already reported it (nil otherwise; a new absence with id is
// then opened, and the employer is reminded of the 5-week report deadline).
// A request that is not allowed is recorded with its reasons and not sent on.
func RequestEarlyFollowUp(id string, prior *Absence, r events.SicknessEarlyFollowUpRequest, f Facts) (Decision, error) {
	if fe := r.Check(); len(fe) > 0 {
		return Decision{}, fe
	}
	var p parser
	first := p.date("firstAbsenceDay", r.FirstAbsenceDay)
	ret := p.optDate("expectedReturn", r.ExpectedReturn)
	if err := p.err(); err != nil {
		return Decision{}, err
	}
	var a Absence
	if prior != nil {
		a = *prior
	} else {
		a = Absence{ID: id, Kind: KindEmployee, Status: StatusEarlyFollowUp, CPR: r.CPR, CVR: r.CVR, PNumber: r.PNumber, FirstAbsenceDay: first}
	}
	a.Version++
	res, err := refusion.EarlyFollowUp(refusion.EarlyFollowUpInput{FirstAbsenceDay: first, RequestedOn: f.ReceivedOn,
		ExpectedOver8Weeks: r.ExpectedWeeks > refusion.EarlyFollowUpExpectedWeeks})
	if err != nil {
		return Decision{}, err
	}
	a.EarlyFollowUp = &EarlyFollowUpFacts{RequestedOn: f.ReceivedOn, ExpectedWeeks: r.ExpectedWeeks, ExpectedReturn: ret,
		Allowed: res.Allowed, MeetingBy: res.MeetingBy, Contact: r.Contact}
	d := Decision{Absence: a, Reasons: res.Reasons}
	if !res.Allowed {
		return d, nil
	}
	d.Effects = Effects{Delivery: "sickness.early-follow-up", NotifyPerson: true}
	if prior == nil {
		deadline, reason := refusion.WagesDeadline(first)
		d.Reasons = append(d.Reasons, reason)
		d.Effects.Reminders = append(d.Effects.Reminders, Reminder{
			Key: "report-deadline", Kind: "employer-report-deadline", Audience: events.AudienceSender, Subject: events.SubjectAbsence,
			Due: deadline.AddDays(-7), Deadline: deadline, Law: "sygedagpengeloven § 40, stk. 1",
			TitleDa: "Husk at anmelde sygefraværet", TitleEn: "Remember to report the sickness absence",
			BodyDa: fmt.Sprintf("Du har anmodet om tidlig opfølgning. Sygefraværet skal anmeldes senest %s for at give refusion.", deadline.Danish()),
			BodyEn: fmt.Sprintf("You asked for early follow-up. The absence must be reported by %s to give reimbursement.", deadline.English()),
		})
	}
	return d, nil
}
