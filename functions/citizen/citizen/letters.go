package citizen

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/citizen/tasks"
	"nemrefusion.dk/functions/reminder/plan"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/runtime"
)

// taskLetters tells the sick person about the tasks just given (seeds/003,
// "Brev til den sygemeldte om opgaver i Mit Sygefravær"): a letter for
// each task the municipality started (supplementary information, hearing,
// moving consent), and for a report's tasks when no notification letter
// names them (tasks.ReportTasksInNotification); and, for every deadline
// among them, the reminder letter on day 6 (plan.CitizenTaskLetter), which
// citizen.tasks.closed cancels with the tasks. notify writes each letter in
// the person's language, by Digital Post or on paper.
func (f *Function) taskLetters(ctx context.Context, tx *runtime.Tx, a tasks.Absence, added []tasks.Task) error {
	if len(added) == 0 {
		return nil
	}
	cpr, err := ids.ParseCPR(a.CPR)
	if err != nil {
		return fmt.Errorf("task letters: %w", err)
	}
	from := blanket.DefaultAuthority(a.Municipality)
	letter := func(data map[string]string) error {
		_, err := tx.Emit(ctx, events.LetterRequested, a.ID, events.LetterRequest{Kind: events.LetterCitizenTask,
			Recipient: events.Party{CPR: cpr}, Sender: from, Reference: a.ID, Data: data})
		return err
	}
	var report []string
	var reportDue time.Time
	var first []tasks.Task // the first task added per deadline
	for _, t := range added {
		if !slices.ContainsFunc(first, func(o tasks.Task) bool { return o.Deadline.Equal(t.Deadline) }) {
			first = append(first, t)
		}
		if slices.Contains(tasks.MunicipalityKinds, t.Kind) {
			if err := letter(map[string]string{"task": t.Kind, "deadline": t.Deadline.Format(time.DateOnly)}); err != nil {
				return err
			}
			continue
		}
		report, reportDue = append(report, t.Kind), t.Deadline
	}
	if len(report) > 0 && !tasks.ReportTasksInNotification(a.PersonKind) {
		if err := letter(map[string]string{"tasks": strings.Join(report, " "), "deadline": reportDue.Format(time.DateOnly)}); err != nil {
			return err
		}
	}
	for _, t := range first {
		for _, r := range plan.CitizenTaskLetter(f.now(), a.ID, t.LocalID(a.ID), a.CPR, from, t.Deadline) {
			if _, err := tx.Emit(ctx, events.ReminderScheduled, a.ID, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// taskAnswered cancels the reminder letter of the answered task's deadline
// once no open task is due that day: the letter would remind of a
// deadline nothing is due on any more (the last open task answered cancels
// all of them through citizen.tasks.closed instead). Each task given may
// have begun a reminder (plan.CitizenTaskLetterID); cancelling one that
// was never planned changes nothing.
func (f *Function) taskAnswered(ctx context.Context, tx *runtime.Tx, a tasks.Absence, taskID string) error {
	done, ok := a.Task(taskID)
	if !ok {
		return nil
	}
	due := func(t tasks.Task) bool { return t.Deadline.Equal(done.Deadline) }
	if slices.ContainsFunc(a.Tasks, func(t tasks.Task) bool { return due(t) && t.Open() }) {
		return nil
	}
	for _, t := range a.Tasks {
		if !due(t) {
			continue
		}
		if _, err := tx.Emit(ctx, events.ReminderCancelled, a.ID, events.ReminderCancellation{
			ID: plan.CitizenTaskLetterID(a.ID, t.LocalID(a.ID), t.Deadline), Reason: "tasks-answered"}); err != nil {
			return err
		}
	}
	return nil
}
