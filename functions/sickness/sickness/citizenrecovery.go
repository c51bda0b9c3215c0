package sickness

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/absence"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/runtime"
)

// SetupCitizenRecovery makes the sick person's own recovery
// (citizen.recovery.reported) and a partial resumption with under 4 hours'
// absence a week (citizen.partial-resumption.reported) end the absence
// here, which owns it (absence.RecoverByCitizen, rules in
// absence/citizenrecovery.go): the employer's feedback (blanket.decided,
// refusion.expected) through pipe (blanket.Pipeline.Redecide), the
// absence's reminders cancelled (reminder.cancelled) and the recovery
// notice to the data foundation (dfdg.notice.requested). The municipality
// gets the absence as changed (absence.DeliveryCitizenRecovery); the
// person's answer itself reaches it from the citizen function.
func (h *Handler) SetupCitizenRecovery(svc *runtime.Service, pipe *blanket.Pipeline) {
	runtime.On(svc, events.CitizenRecoveryReported, func(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.CitizenRecovery) error {
		last, err := kernel.ParseDate(in.LastAbsenceDay)
		if err != nil {
			return events.FieldErrors{{Field: "lastAbsenceDay", Code: "date", Da: "Datoen findes ikke (ÅÅÅÅ-MM-DD).", En: "The date does not exist (YYYY-MM-DD)."}}
		}
		c := absence.CitizenRecoveryFacts{AnswerID: in.AnswerID, Kind: absence.CitizenRecovery, LastAbsenceDay: last, ReportedOn: kernel.DateOf(in.ReportedAt)}
		return h.citizenEnded(ctx, tx, pipe, in.AbsenceID, func(absence.Absence) (absence.CitizenRecoveryFacts, []kernel.Reason, bool) {
			return c, nil, true
		})
	})
	runtime.On(svc, events.CitizenPartialResumptionReported, func(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.CitizenPartialResumption) error {
		return h.citizenEnded(ctx, tx, pipe, in.AbsenceID, func(a absence.Absence) (absence.CitizenRecoveryFacts, []kernel.Reason, bool) {
			from, why, ok := absence.ResumedFrom(a, in)
			return absence.CitizenRecoveryFacts{AnswerID: in.AnswerID, Kind: absence.CitizenPartialResumption, LastAbsenceDay: from.AddDays(-1),
				ReportedOn: kernel.DateOf(in.ReportedAt)}, []kernel.Reason{why}, ok
		})
	})
}

// citizenEnded ends absence id as the person reported (report gives the
// day, or ok false when the report ends nothing). An absence this function
// does not have (another family's case, an unknown id) is left alone.
func (h *Handler) citizenEnded(ctx context.Context, tx *runtime.Tx, pipe *blanket.Pipeline, id string,
	report func(absence.Absence) (absence.CitizenRecoveryFacts, []kernel.Reason, bool)) error {
	rates := h.Rates
	if h.db != nil {
		var err error
		if rates, err = ratesForDecision(ctx, tx); err != nil {
			return err
		}
	}
	c, ok, err := loadCase(ctx, tx, id)
	if err != nil || !ok || c.Family != Family {
		return err
	}
	var a absence.Absence
	if err := json.Unmarshal(c.State, &a); err != nil {
		return fmt.Errorf("absence %s state: %w", id, err)
	}
	r, extra, ok := report(a)
	if !ok {
		return nil
	}
	now := time.Now()
	if cause := tx.Cause(); cause != nil && !cause.Time().IsZero() {
		now = cause.Time()
	}
	d, changed, err := absence.RecoverByCitizen(a, r, extra, absence.Facts{ReceivedOn: kernel.DateOf(now), Rates: rates})
	if err != nil || !changed {
		return err
	}
	if d.Effects.CancelReminders {
		// The absence's reminders (the employer's deadlines); the tasks'
		// reminders are the citizen function's to close with its tasks.
		if _, err := tx.Emit(ctx, events.ReminderCancelled, a.ID, events.ReminderCancellation{
			Subject: &events.ReminderSubject{Type: events.SubjectAbsence, ID: a.ID}, Reason: "recovered"}); err != nil {
			return err
		}
	}
	out, err := decided(d, &c, nil, now)
	if err != nil {
		return err
	}
	return pipe.Redecide(ctx, tx, reportBlanket(a), out, "the sick person's "+r.Kind+" (sygedagpengeloven § 7, seeds/003)")
}

// reportBlanket is the blanket that reported absence a (its feedback is the
// one redecided).
func reportBlanket(a absence.Absence) string {
	switch a.Kind {
	case absence.KindSelfEmployed:
		return events.SicknessSelfEmployedReported
	case absence.KindUnemployed:
		return events.SicknessAKasseReported
	}
	return events.SicknessEmployerReported
}
