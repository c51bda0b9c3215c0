package sickness

import (
	"context"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/absence"
	"nemrefusion.dk/functions/sickness/refusion"
	"nemrefusion.dk/infra/blanket"
)

// ReminderHour is the hour of the day (Danish time) reminders fire.
const ReminderHour = 9

func (h *Handler) employer(ctx context.Context, env *blanket.Env, r events.SicknessEmployerReport) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	f := h.facts(env)
	first, _ := kernel.ParseDate(r.FirstAbsenceDay)
	var err error
	if f.Employment, err = employment(ctx, env, r.CPR, first); err != nil {
		return blanket.Outcome{}, err
	}
	if f.Section56, err = h.section56Approval(ctx, env, r, first); err != nil {
		return blanket.Outcome{}, err
	}
	prior, found, err := env.FindOpen(ctx, naturalKey(absence.Absence{Kind: absence.KindEmployee, CVR: r.CVR, CPR: r.CPR, FirstAbsenceDay: first, Status: absence.StatusReported}))
	if err != nil {
		return blanket.Outcome{}, err
	}
	var pa absence.Absence
	if found {
		if err := unmarshalState(prior, &pa); err != nil {
			return blanket.Outcome{}, err
		}
		if pa.Status != absence.StatusEarlyFollowUp {
			return blanket.Outcome{}, duplicate(prior.ID)
		}
	}
	id, err := env.NewCaseID(ctx)
	if err != nil {
		return blanket.Outcome{}, err
	}
	d, err := absence.ReportByEmployer(id, r, f)
	if err != nil {
		return blanket.Outcome{}, err
	}
	if found {
		absence.AttachReport(&d, pa)
		return decided(d, &prior, env, env.ReceivedAt)
	}
	return decided(d, nil, env, env.ReceivedAt)
}

func (h *Handler) selfEmployed(ctx context.Context, env *blanket.Env, r events.SicknessSelfEmployedReport) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	f := h.facts(env)
	first, _ := kernel.ParseDate(r.FirstAbsenceDay)
	if err := h.notDuplicate(ctx, env, absence.Absence{Kind: absence.KindSelfEmployed, CVR: r.CVR, CPR: r.CPR, FirstAbsenceDay: first}); err != nil {
		return blanket.Outcome{}, err
	}
	if err := blanket.OwnCompany(ctx, env.Registers, r.CVR, r.CPR); err != nil {
		return blanket.Outcome{}, err
	}
	var err error
	if f.Employment, err = employment(ctx, env, r.CPR, first); err != nil {
		return blanket.Outcome{}, err
	}
	id, err := env.NewCaseID(ctx)
	if err != nil {
		return blanket.Outcome{}, err
	}
	d, err := absence.ReportBySelfEmployed(id, r, f)
	if err != nil {
		return blanket.Outcome{}, err
	}
	return outcome(d, nil, env.ReceivedAt), nil
}

func (h *Handler) akasse(ctx context.Context, env *blanket.Env, r events.SicknessAKasseReport) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	f := h.facts(env)
	first, _ := kernel.ParseDate(r.FirstAbsenceDay)
	if err := h.notDuplicate(ctx, env, absence.Absence{Kind: absence.KindUnemployed, CVR: r.CVR, CPR: r.CPR, FirstAbsenceDay: first}); err != nil {
		return blanket.Outcome{}, err
	}
	var err error
	if f.Employment, err = employment(ctx, env, r.CPR, first); err != nil {
		return blanket.Outcome{}, err
	}
	id, err := env.NewCaseID(ctx)
	if err != nil {
		return blanket.Outcome{}, err
	}
	d, err := absence.ReportByAKasse(id, r, f)
	if err != nil {
		return blanket.Outcome{}, err
	}
	return outcome(d, nil, env.ReceivedAt), nil
}

func (h *Handler) earlyFollowUp(ctx context.Context, env *blanket.Env, r events.SicknessEarlyFollowUpRequest) (blanket.Outcome, error) {
	r.CPR = blanket.NormCPR(r.CPR)
	first, _ := kernel.ParseDate(r.FirstAbsenceDay)
	prior, found, err := env.FindOpen(ctx, naturalKey(absence.Absence{Kind: absence.KindEmployee, CVR: r.CVR, CPR: r.CPR, FirstAbsenceDay: first, Status: absence.StatusReported}))
	if err != nil {
		return blanket.Outcome{}, err
	}
	var pa *absence.Absence
	id := ""
	if found {
		var a absence.Absence
		if err := unmarshalState(prior, &a); err != nil {
			return blanket.Outcome{}, err
		}
		pa, id = &a, prior.ID
	} else if id, err = env.NewCaseID(ctx); err != nil {
		return blanket.Outcome{}, err
	}
	d, err := absence.RequestEarlyFollowUp(id, pa, r, h.facts(env))
	if err != nil {
		return blanket.Outcome{}, err
	}
	if found {
		return outcome(d, &prior, env.ReceivedAt), nil
	}
	return outcome(d, nil, env.ReceivedAt), nil
}

func (h *Handler) period(ctx context.Context, env *blanket.Env, r events.SicknessPeriodReport) (blanket.Outcome, error) {
	return followUp(ctx, env, r.AbsenceID, func(a absence.Absence) (absence.Decision, error) { return absence.NextPeriod(a, r, h.facts(env)) })
}

func (h *Handler) recovery(ctx context.Context, env *blanket.Env, r events.SicknessRecoveryReport) (blanket.Outcome, error) {
	return followUp(ctx, env, r.AbsenceID, func(a absence.Absence) (absence.Decision, error) { return absence.Recover(a, r, h.facts(env)) })
}

func (h *Handler) correction(ctx context.Context, env *blanket.Env, r events.SicknessCorrection) (blanket.Outcome, error) {
	return followUp(ctx, env, r.AbsenceID, func(a absence.Absence) (absence.Decision, error) { return absence.Correct(a, r, h.facts(env)) })
}

func (h *Handler) cancellation(ctx context.Context, env *blanket.Env, r events.SicknessCancellation) (blanket.Outcome, error) {
	return followUp(ctx, env, r.AbsenceID, func(a absence.Absence) (absence.Decision, error) { return absence.Cancel(a, r, h.facts(env)) })
}

// followUp loads the absence a follow-up names and decides it.
func followUp(ctx context.Context, env *blanket.Env, id string, decide func(absence.Absence) (absence.Decision, error)) (blanket.Outcome, error) {
	a, c, err := load(ctx, env, id)
	if err != nil {
		return blanket.Outcome{}, err
	}
	d, err := decide(a)
	if err != nil {
		return blanket.Outcome{Case: blanket.Case{ID: c.ID}}, err
	}
	return decided(d, &c, env, env.ReceivedAt)
}

func (h *Handler) notDuplicate(ctx context.Context, env *blanket.Env, a absence.Absence) error {
	a.Status = absence.StatusReported
	prior, found, err := env.FindOpen(ctx, naturalKey(a))
	if err != nil {
		return err
	}
	if found {
		return duplicate(prior.ID)
	}
	return nil
}

func duplicate(id string) error {
	return events.FieldErrors{{Field: "firstAbsenceDay", Code: "absence.duplicate",
		Da: "Sygefraværet er allerede anmeldt (sygefravær " + id + "). Brug rettelse eller raskmelding.",
		En: "The absence has already been reported (absence " + id + "). Use a correction or a recovery report."}}
}

func unmarshalState(c blanket.Case, a *absence.Absence) error {
	return jsonUnmarshal(c.State, a)
}

// outcome turns an absence decision into the pipeline's outcome; at is
// when the submission was received, which orders the expectations of an
// absence.
func outcome(d absence.Decision, prior *blanket.Case, at time.Time) blanket.Outcome {
	a := d.Absence
	out := blanket.Outcome{
		Case:         blanket.Case{ID: a.ID, Key: naturalKey(a), Tenant: "cvr:" + a.CVR, Person: a.CPR, Status: string(a.Status), Version: a.Version},
		New:          prior == nil,
		State:        a,
		FirstDay:     a.FirstAbsenceDay.String(),
		Delivery:     d.Effects.Delivery,
		NotifyPerson: d.Effects.NotifyPerson,
		PersonKind:   string(a.Kind),
		Tasks:        d.Effects.Tasks,
		Result:       result(d),
	}
	if prior != nil {
		out.Case.Recipient = prior.Recipient
		out.Case.Tenant = prior.Tenant
	}
	if c, err := ids.ParseCPR(a.CPR); err == nil {
		out.Person = c
	}
	if c, err := ids.ParseCVR(a.CVR); err == nil {
		out.SenderCVR = c
	}
	if p, err := ids.ParsePNumber(a.PNumber); err == nil && prior == nil {
		out.Workplace = p
	}
	if a.LastAbsenceDay != nil {
		out.LastDay = a.LastAbsenceDay.String()
	}
	if !d.Effects.TasksDeadline.IsZero() {
		out.TasksDeadline = d.Effects.TasksDeadline.String()
	}
	out.Reasons = append(out.Reasons, d.Reasons...)
	out.CancelReminders = d.Effects.CancelReminders
	for _, r := range d.Effects.Reminders {
		aud := events.ReminderAudience{Kind: r.Audience}
		if r.Audience == events.AudienceCitizen {
			aud.CPR = a.CPR
		} else {
			aud.CVR = a.CVR
		}
		chans := []string{events.ChannelInbox}
		if r.SMS {
			chans = []string{events.ChannelSMS}
		}
		out.Reminders = append(out.Reminders, events.ReminderSchedule{
			ID: a.ID + "/" + r.Key, Due: r.Due.Time().Add(ReminderHour * time.Hour), Kind: r.Kind,
			Subject: events.ReminderSubject{Type: r.Subject, ID: a.ID}, Audience: aud, Channels: chans,
			Message: events.ReminderMessage{TitleDa: r.TitleDa, TitleEn: r.TitleEn, BodyDa: r.BodyDa, BodyEn: r.BodyEn,
				Deadline: r.Deadline.String(), Law: r.Law, Link: "/absences/" + a.ID},
		})
	}
	if n := d.Effects.Notice; n != nil {
		notice := events.DfdgNotice{Kind: n.Kind, AbsenceID: a.ID, CPR: a.CPR, FirstAbsenceDay: n.First.String(),
			RegisteredOn: n.RegisteredOn.String(), Reporter: a.Reporter()}
		if n.Last != nil {
			notice.LastAbsenceDay = n.Last.String()
		}
		out.Events = append(out.Events, blanket.Emit{Type: events.DfdgNoticeRequested, Data: notice})
	}
	if d.Effects.Expect {
		out.Events = append(out.Events, blanket.Emit{Type: events.RefusionExpected, Data: expectation(a, prior, at)})
	}
	return out
}

// expectation is the employer's expected refusion of the absence, whole:
// the delivery function replaces the earlier expectation with it and
// reconciles it, per period, against the municipality's decisions and
// payments (seeds/000 § 1 stk. 3; sygedagpengeloven §§ 54–59). The
// recipient is known only for a follow-up (the pipeline picks it for a new
// absence after the decision); the reconciliation does not need it.
func expectation(a absence.Absence, prior *blanket.Case, at time.Time) events.RefusionExpectation {
	exp := events.RefusionExpectation{AbsenceID: a.ID, SenderCVR: a.CVR, ComputedAt: at.UTC().Format(time.RFC3339Nano),
		Periods: make([]events.ExpectedPeriod, 0, len(a.Expected))}
	if prior != nil {
		if r, err := ids.ParseRecipient(prior.Recipient); err == nil {
			exp.Recipient = r.String()
		}
	}
	for _, e := range a.Expected {
		exp.Periods = append(exp.Periods, events.ExpectedPeriod{From: e.From.String(), To: e.To.String(), AmountOre: e.Amount.Ore(), Reasons: e.Reasons})
	}
	if r := a.Reassessment; r != nil {
		// The employer's line: the municipality reassesses the case (§ 24).
		kind, due, da, en := absence.ReassessmentDeadline(*r)
		exp.Deadlines = append(exp.Deadlines, events.Deadline{Kind: kind, Date: due.String(), TextDa: da, TextEn: en})
	}
	return exp
}

// result is what a sickness decision tells the sender and the recipient,
// in the contract's shape (events.SicknessResult). The rules' reasons
// travel once, in the outcome, not again inside the refusion.
func result(d absence.Decision) events.SicknessResult {
	a := d.Absence
	r := events.SicknessResult{AbsenceID: a.ID, Status: string(a.Status), FirstAbsenceDay: a.FirstAbsenceDay.String(),
		LastAbsenceDay: dateOr(a.LastAbsenceDay), Tasks: d.Effects.Tasks}
	if p := d.Refusion; p != nil {
		r.Refusion = &events.SicknessRefusion{
			EmployerPeriod: events.EmployerPeriod{Applies: p.EmployerPeriod.Applies, From: datePtr(p.EmployerPeriod.From), To: datePtr(p.EmployerPeriod.To)},
			RefusionFrom:   datePtr(p.RefusionFrom), ReportDeadline: p.ReportDeadline.String(), Late: p.Late,
			MaxHourlyRate: events.Kroner(p.MaxHourlyRate), HourlyRate: events.Kroner(p.HourlyRate),
			WeeklyAmount: events.Kroner(p.WeeklyAmount), Provisional: p.Provisional,
		}
	}
	if p := d.Period; p != nil {
		r.Period = &events.SicknessPeriodRefusion{Asked: period(p.Asked), MaxHourlyRate: events.Kroner(p.MaxHourlyRate),
			HourlyRate: events.Kroner(p.HourlyRate), Amount: events.Kroner(p.Amount), Provisional: p.Provisional}
		if p.Covered != nil {
			c := period(*p.Covered)
			r.Period.Covered = &c
		}
	}
	if e := a.EarlyFollowUp; e != nil && d.Effects.Delivery == "sickness.early-follow-up" {
		r.EarlyFollowUp = &events.EarlyFollowUp{RequestedOn: e.RequestedOn.String(), ExpectedWeeks: e.ExpectedWeeks,
			ExpectedReturn: dateOr(e.ExpectedReturn), Allowed: e.Allowed, MeetingBy: dateOr(e.MeetingBy), Contact: e.Contact}
	}
	return r
}

func period(p refusion.Period) events.DatePeriod {
	return events.DatePeriod{From: p.From.String(), To: p.To.String()}
}

// datePtr is a date that may be null; dateOr one that may be absent.
func datePtr(d *kernel.Date) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}

func dateOr(d *kernel.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}
