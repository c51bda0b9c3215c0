package tasks

import (
	"slices"
	"time"
)

// RefusalKind says how a refused step is answered.
type RefusalKind int

// The kinds of refusal.
const (
	// Conflict: the step cannot be taken in the absence's present state (409).
	Conflict RefusalKind = iota + 1
	// Gone: the thing asked for is not there (404).
	Gone
)

// Refusal is a step the rules of the flow refuse, with a stable code and
// the message in Danish and English.
type Refusal struct {
	Kind   RefusalKind
	Code   string
	Da, En string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.En }

// The refusals of the flow.
var (
	// ErrLegalText: the legal text must be acknowledged once per absence
	// before the first task (seeds/003, "Love og paragraffer").
	ErrLegalText = &Refusal{Conflict, "legal-text-not-acknowledged",
		"Du skal bekræfte, at du har læst om dine rettigheder og pligter, før du kan løse opgaverne.",
		"Please confirm that you have read about your rights and duties before you answer the tasks."}
	// ErrNoTask: the absence has no such task.
	ErrNoTask = &Refusal{Gone, "no-such-task", "Opgaven findes ikke.", "The task does not exist."}
	// ErrAnswered: the task has been answered already.
	ErrAnswered = &Refusal{Conflict, "already-answered",
		"Opgaven er allerede løst. Du kan se din kvittering under \"Mit forløb\".",
		"The task has already been answered. You can see your receipt under \"Mit forløb\"."}
	// ErrOrder: an earlier task of the sequence is still open.
	ErrOrder = &Refusal{Conflict, "earlier-task-open",
		"Du skal løse opgaverne i den rækkefølge, de står i. Løs den forrige opgave først.",
		"Please answer the tasks in the order they are listed. Answer the previous task first."}
	// ErrWrongRoute: the information form is answered through its own
	// pages, not as one answer.
	ErrWrongRoute = &Refusal{Conflict, "use-the-form-pages",
		"Oplysningsskemaet udfyldes side for side og indsendes fra opsummeringen.",
		"The information form is filled in page by page and sent from the summary."}
	// ErrNotActive: recovery and partial resumption need an active absence.
	ErrNotActive = &Refusal{Conflict, "absence-not-active",
		"Sygefraværet er afsluttet. Du kan ikke melde dig rask eller oplyse delvist genoptaget arbejde for det.",
		"The absence has ended. You cannot report recovery or partly resumed work for it."}
	// ErrNoForm: the absence has no open information form.
	ErrNoForm = &Refusal{Gone, "no-information-form", "Du har ikke et oplysningsskema at udfylde.", "You have no information form to fill in."}
)

// Acknowledge records that the legal text was read, once per absence; it
// reports whether this changed anything (a second acknowledgement does not).
func (a *Absence) Acknowledge(now time.Time) bool {
	if a.LegalTextAcknowledged != nil {
		return false
	}
	a.LegalTextAcknowledged = &now
	return true
}

// CanAnswer checks that task id may be answered now: the legal text is
// acknowledged, the task is open, and, for a task of the sequence, every
// earlier task of the sequence is answered. The municipality's tasks are
// independent of all others.
func (a Absence) CanAnswer(id string) (Task, error) {
	t, ok := a.Task(id)
	if !ok {
		return Task{}, ErrNoTask
	}
	if a.LegalTextAcknowledged == nil {
		return t, ErrLegalText
	}
	if t.Status == StatusCancelled {
		return t, ErrCancelled
	}
	if !t.Open() {
		return t, ErrAnswered
	}
	if i := slices.Index(Sequence, t.Kind); i >= 0 {
		for _, before := range Sequence[:i] {
			if b, ok := a.TaskOfKind(before); ok && b.Open() {
				return t, ErrOrder
			}
		}
	}
	return t, nil
}

// Next is the task the person is led to when pressing "Start": the first
// open task of the sequence, else the first open municipality task.
func (a Absence) Next() (Task, bool) {
	for _, k := range Sequence {
		if t, ok := a.TaskOfKind(k); ok && t.Open() {
			return t, true
		}
	}
	for _, t := range a.Tasks {
		if t.Open() {
			return t, true
		}
	}
	return Task{}, false
}

// Complete marks task id answered by answerID at now and reports whether
// this closed the last open task (the reminders of the tasks are then
// cancelled).
func (a *Absence) Complete(id, answerID string, now time.Time) (closedAll bool) {
	before := a.Counter()
	for i := range a.Tasks {
		if a.Tasks[i].ID == id && a.Tasks[i].Open() {
			a.Tasks[i].Status, a.Tasks[i].AnsweredAt, a.Tasks[i].AnswerID = StatusAnswered, &now, answerID
		}
	}
	return before > 0 && a.Counter() == 0
}
