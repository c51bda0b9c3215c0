package tasks

import (
	"slices"
	"time"
)

// StatusCancelled is a task that no longer applies: the person ended the
// absence before answering it (Cancelled says why).
const StatusCancelled = "cancelled"

// EndedByRecovery are the kinds of task that no longer apply once the
// person reported themself fit: the information form, which is given only
// while the absence has no last day (Plan: "not when the sender already
// gave a last absence day", seeds/003). Every other task still concerns the
// period the person was sick and stays open: the comment on the sender's
// report, the sygedagpenge application (the sygedagpenge for the days
// sick, sygedagpengeloven § 7), and the municipality's own tasks
// (supplementary information, hearing, moving consent), which the
// municipality closes itself.
var EndedByRecovery = []string{InformationForm}

// CloseForRecovery cancels the open tasks that no longer apply after the
// person's recovery on the day now (EndedByRecovery). cancelled are their
// ids; closedAll is true when no task is open any more (their reminders
// can be cancelled), as Complete reports it.
func (a *Absence) CloseForRecovery(now time.Time) (cancelled []string, closedAll bool) {
	before := a.Counter()
	for i := range a.Tasks {
		t := &a.Tasks[i]
		if t.Open() && slices.Contains(EndedByRecovery, t.Kind) {
			t.Status = StatusCancelled
			t.AnsweredAt = &now
			cancelled = append(cancelled, t.ID)
		}
	}
	return cancelled, len(cancelled) > 0 && before > 0 && a.Counter() == 0
}

// Cancelled says, in Danish and English, why a cancelled task was closed
// (empty for any other task).
func (t Task) Cancelled() (da, en string) {
	if t.Status != StatusCancelled {
		return "", ""
	}
	return "Lukket: du har meldt dig rask, så opgaven skal ikke løses.", "Closed: you reported yourself fit, so the task need not be done."
}

// ErrCancelled: the task was closed by the person's recovery.
var ErrCancelled = &Refusal{Conflict, "task-cancelled",
	"Opgaven er lukket, fordi du har meldt dig rask. Den skal ikke løses.",
	"The task was closed because you reported yourself fit. It need not be done."}
