package citizen

import (
	"context"
	"encoding/json"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/tasks"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// LedgerTasksCancelled: tasks were closed because the absence ended.
const LedgerTasksCancelled = "dk.nemrefusion.citizen.tasks.cancelled.v1"

// registerEnded makes the end of an absence decided elsewhere reach the
// person's tasks: the sickness function's recovery notice for the data
// foundation (dfdg.notice.requested, kind recovery) is the fact that the
// absence has a last day, whoever reported it — the sender, the person's
// partial resumption with under 4 hours' absence a week (which only the
// sickness function can tell from the weekly hours), or the person's own
// recovery (then nothing is left to do here).
func (f *Function) registerEnded() {
	runtime.On(f.svc, events.DfdgNoticeRequested, f.onAbsenceEnded)
}

// onAbsenceEnded gives the absence its last day (the earliest one stands,
// as in the sickness function) and closes the tasks that apply only while
// it runs (tasks.EndedByRecovery); when none is open any more the tasks'
// reminders are cancelled (citizen.tasks.closed). Other notices, an absence
// the person has no tasks for and a repeated notice change nothing.
func (f *Function) onAbsenceEnded(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, n events.DfdgNotice) error {
	if n.Kind != "recovery" {
		return nil
	}
	last, err := tasks.ParseDate(n.LastAbsenceDay)
	if err != nil {
		return nil // the data foundation refuses it; nothing to end here
	}
	a, ok, err := loadAbsence(ctx, tx, n.AbsenceID, true)
	if err != nil || !ok {
		return err
	}
	changed := a.LastAbsenceDay == nil || last.Before(*a.LastAbsenceDay)
	if changed {
		a.LastAbsenceDay = &last
	}
	cancelled, all := a.CloseForRecovery(f.now())
	if !changed && len(cancelled) == 0 {
		return nil
	}
	if err := saveAbsence(ctx, tx, a); err != nil {
		return err
	}
	reason, _ := json.Marshal(map[string]any{"lastAbsenceDay": n.LastAbsenceDay, "cancelled": cancelled, "rule": "tasks.EndedByRecovery"})
	if _, err := tx.Record(ctx, ledger.Entry{Stream: a.ID, EventType: LedgerTasksCancelled, EventSource: ev.Source(), EventID: ev.ID(), Reason: reason}); err != nil {
		return err
	}
	if all {
		_, err = tx.Emit(ctx, events.CitizenTasksClosed, a.ID, events.CitizenTasksClosure{AbsenceID: a.ID})
	}
	return err
}
