// Package tasks is the sick person's side of an absence in Mit Sygefravær
// (seeds/003), as pure domain: the tasks an absence gives and in which
// order, the municipality's own tasks, the legal text that must be
// acknowledged first, the answers (what each needs, whether it is signed,
// whether it goes to the municipality), recovery, partial resumption and
// documentation, and the task counter. It does no I/O; the citizen package
// stores absences and carries out decisions.
package tasks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/form"
)

// Task kinds (events.CitizenTask*).
const (
	Comment                  = events.CitizenTaskComment
	Application              = events.CitizenTaskApplication
	InformationForm          = events.CitizenTaskInformationForm
	SupplementaryInformation = events.CitizenTaskSupplementaryInformation
	Hearing                  = events.CitizenTaskHearing
	MovingConsent            = events.CitizenTaskMovingConsent
)

// Kinds of what the person may report at any time while the absence is
// active; they are answers without a task.
const (
	Recovery          = "recovery"
	PartialResumption = "partial-resumption"
	Documentation     = "documentation"
)

// Sequence is the order of the tasks that follow a report (seeds/003, "Mit
// forløb": "Opgaverne udføres automatisk i den rækkefølge de står angivet
// i"): comment, application, information form.
var Sequence = []string{Comment, Application, InformationForm}

// MunicipalityKinds are the tasks a municipality starts, each independent of
// the others and of the sequence.
var MunicipalityKinds = []string{SupplementaryInformation, Hearing, MovingConsent}

// DeadlineDays is the deadline of a task after the letter when the request
// names none (sygedagpengeloven § 38, § 40 stk. 5).
const DeadlineDays = 8

// Task statuses.
const (
	StatusOpen     = "open"
	StatusAnswered = "answered"
)

// Task is one task of an absence.
type Task struct {
	// ID is "<absence id>/<local id>": the local id is the kind for the
	// sequence and "<kind>-<n>" for the municipality's tasks.
	ID         string
	Kind       string
	Status     string
	Deadline   time.Time
	CreatedAt  time.Time
	AnsweredAt *time.Time
	AnswerID   string
}

// Open reports whether the task still waits for an answer.
func (t Task) Open() bool { return t.Status == StatusOpen }

// Overdue reports whether an open task is past its deadline on day today.
func (t Task) Overdue(today time.Time) bool { return t.Open() && today.After(t.Deadline) }

// LocalID is the task's id within its absence ("comment", "hearing-1").
func (t Task) LocalID(absence string) string { return strings.TrimPrefix(t.ID, absence+"/") }

// Absence is one sygefravær as the sick person sees it.
type Absence struct {
	ID  string
	CPR string
	// PersonKind is form.Employee, form.SelfEmployed or form.UnemployedMember.
	PersonKind   string
	Municipality string
	SenderName   string
	SenderCVR    string
	// FirstAbsenceDay and LastAbsenceDay (the sender's, or nil) are dates at UTC midnight.
	FirstAbsenceDay time.Time
	LastAbsenceDay  *time.Time
	// Report is the sender's report as the person sees it (comment task).
	Report json.RawMessage
	// Retention is the employer's answers to the retention questions, or nil.
	Retention *form.Retention
	// LegalTextAcknowledged is when the legal text was acknowledged, or nil.
	LegalTextAcknowledged *time.Time
	// RecoveredOn is the last absence day the person reported, or nil.
	RecoveredOn *time.Time
	Tasks       []Task
}

// FormContext is the information form's context for the absence.
func (a Absence) FormContext() form.Context {
	return form.Context{PersonKind: a.PersonKind, FirstAbsenceDay: a.FirstAbsenceDay, Retention: a.Retention}
}

// Active reports whether the absence is still running: neither the sender
// nor the person gave a last absence day. Recovery and partial resumption
// are offered only while it is (seeds/003: "Fanebladet vises kun, hvis der
// er et aktivt sygefravær").
func (a Absence) Active() bool { return a.LastAbsenceDay == nil && a.RecoveredOn == nil }

// Counter is the task counter (opgavetælleren): the number of open tasks.
func (a Absence) Counter() int {
	n := 0
	for _, t := range a.Tasks {
		if t.Open() {
			n++
		}
	}
	return n
}

// Task returns the task with id.
func (a Absence) Task(id string) (Task, bool) {
	i := slices.IndexFunc(a.Tasks, func(t Task) bool { return t.ID == id })
	if i < 0 {
		return Task{}, false
	}
	return a.Tasks[i], true
}

// TaskOfKind returns the (only) sequence task of kind.
func (a Absence) TaskOfKind(kind string) (Task, bool) {
	i := slices.IndexFunc(a.Tasks, func(t Task) bool { return t.Kind == kind })
	if i < 0 {
		return Task{}, false
	}
	return a.Tasks[i], true
}

// Dropped is a requested task left out, with the rule that left it out.
type Dropped struct {
	Kind string `json:"kind"`
	Rule string `json:"rule"`
}

// Plan orders the requested tasks and keeps only those that apply:
//   - the self-employed get no comment task: they made the report themself
//     (seeds/003, "Selvstændige skal ikke igennem denne opgave");
//   - there is no information form when the sender gave a last absence day
//     (seeds/003, "Mit forløb");
//   - unknown kinds and repeats are left out.
//
// The sequence comes first in its order, then the municipality's tasks in
// the order asked.
func Plan(personKind string, lastDayKnown bool, requested []string) (kinds []string, dropped []Dropped) {
	for _, k := range Sequence {
		if !slices.Contains(requested, k) {
			continue
		}
		switch {
		case k == Comment && personKind == form.SelfEmployed:
			dropped = append(dropped, Dropped{Kind: k, Rule: "self-employed-made-the-report"})
		case k == InformationForm && lastDayKnown:
			dropped = append(dropped, Dropped{Kind: k, Rule: "last-absence-day-given"})
		default:
			kinds = append(kinds, k)
		}
	}
	for _, k := range requested {
		switch {
		case slices.Contains(Sequence, k):
		case !slices.Contains(MunicipalityKinds, k):
			dropped = append(dropped, Dropped{Kind: k, Rule: "unknown-task"})
		case slices.Contains(kinds, k):
			dropped = append(dropped, Dropped{Kind: k, Rule: "repeated"})
		default:
			kinds = append(kinds, k)
		}
	}
	return kinds, dropped
}

// NewAbsence builds the absence a task request names (without tasks; see
// Request). It returns field errors for a request that can never be used.
func NewAbsence(r events.CitizenTasksRequest) (Absence, error) {
	var fe events.FieldErrors
	first, err := ParseDate(r.FirstAbsenceDay)
	if err != nil {
		fe.Add("firstAbsenceDay", "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
	}
	a := Absence{ID: r.AbsenceID, CPR: r.CPR, PersonKind: r.PersonKind, Municipality: r.Municipality,
		SenderName: r.SenderName, SenderCVR: r.SenderCVR, FirstAbsenceDay: first, Report: r.Report}
	if r.LastAbsenceDay != "" {
		last, err := ParseDate(r.LastAbsenceDay)
		if err != nil {
			fe.Add("lastAbsenceDay", "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
		}
		a.LastAbsenceDay = &last
	}
	if len(fe) > 0 {
		return Absence{}, fe
	}
	a.Retention = retentionOf(r.Report)
	return a, nil
}

// retentionOf reads the employer's retention answers from the report.
func retentionOf(report json.RawMessage) *form.Retention {
	var r struct {
		Retention *form.Retention `json:"retention"`
	}
	if len(report) == 0 || json.Unmarshal(report, &r) != nil {
		return nil
	}
	return r.Retention
}

// Request adds the tasks of a request to the absence (from NewAbsence, or
// loaded) and returns those added and those left out. A task of the
// sequence is added once per absence; a municipality task is not added
// again while one of its kind is open (the later deadline wins). Tasks are
// due on the request's deadline, else DeadlineDays after today.
func (a *Absence) Request(r events.CitizenTasksRequest, today time.Time) (added []Task, dropped []Dropped) {
	if a.LastAbsenceDay == nil && r.LastAbsenceDay != "" {
		if d, err := ParseDate(r.LastAbsenceDay); err == nil {
			a.LastAbsenceDay = &d
		}
	}
	if len(a.Report) == 0 && len(r.Report) > 0 {
		a.Report, a.Retention = r.Report, retentionOf(r.Report)
	}
	deadline, err := ParseDate(r.Deadline)
	if err != nil {
		deadline = today.AddDate(0, 0, DeadlineDays)
	}
	kinds, dropped := Plan(a.PersonKind, a.LastAbsenceDay != nil, r.Tasks)
	for _, k := range kinds {
		if slices.Contains(Sequence, k) {
			if _, ok := a.TaskOfKind(k); ok {
				dropped = append(dropped, Dropped{Kind: k, Rule: "already-given"})
				continue
			}
			t := Task{ID: a.ID + "/" + k, Kind: k, Status: StatusOpen, Deadline: deadline, CreatedAt: today}
			a.Tasks = append(a.Tasks, t)
			added = append(added, t)
			continue
		}
		n, open := 0, -1
		for i, t := range a.Tasks {
			if t.Kind == k {
				n++
				if t.Open() {
					open = i
				}
			}
		}
		if open >= 0 {
			if deadline.After(a.Tasks[open].Deadline) {
				a.Tasks[open].Deadline = deadline
			}
			dropped = append(dropped, Dropped{Kind: k, Rule: "already-open"})
			continue
		}
		t := Task{ID: fmt.Sprintf("%s/%s-%d", a.ID, k, n+1), Kind: k, Status: StatusOpen, Deadline: deadline, CreatedAt: today}
		a.Tasks = append(a.Tasks, t)
		added = append(added, t)
	}
	return added, dropped
}

// ParseDate parses "YYYY-MM-DD" as UTC midnight.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date: %w", err)
	}
	return d, nil
}

// Day is t's calendar day at UTC midnight.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ReportTasksInNotification reports whether a person of personKind learns
// of a report's tasks from the notification letter the report causes
// (the executive order § 1 stk. 8; infra/blanket names the tasks and the
// deadline in it): employees and unemployed members do. The self-employed
// made the report themselves and get no notification letter, so the
// citizen function writes them a letter about their tasks (seeds/003: the
// sick person is told of the tasks by letter).
func ReportTasksInNotification(personKind string) bool { return personKind != form.SelfEmployed }
