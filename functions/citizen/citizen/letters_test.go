package citizen_test

import (
	"encoding/json"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// letters returns the letter requests and reminder schedules the function
// emitted for absence id.
func (f *fixture) letters(t *testing.T, id string) ([]events.LetterRequest, []events.ReminderSchedule) {
	t.Helper()
	var ls []events.LetterRequest
	var rs []events.ReminderSchedule
	for _, e := range runtimetest.OfType(f.Outbox(t, id), events.LetterRequested) {
		var l events.LetterRequest
		if err := json.Unmarshal(e.Data, &l); err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	for _, e := range runtimetest.OfType(f.Outbox(t, id), events.ReminderScheduled) {
		var r events.ReminderSchedule
		if err := json.Unmarshal(e.Data, &r); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return ls, rs
}

// Seeds/003 ("Brev til den sygemeldte om opgaver i Mit Sygefravær") and
// sygedagpengeloven § 38: the sick person is told of every task by letter.
// An employee's report's tasks are in the notification letter the report
// causes, so the citizen function writes none for them; the self-employed
// (no notification letter) get a task letter; every task the municipality
// starts (here a hearing, partshøring) gets its own letter with its
// deadline, once while it is open; and each deadline gets the reminder
// letter on day 6, on the tasks' subject so closing the tasks cancels it,
// and answering every task due on a day cancels that day's.
func TestSDL38_EveryNewTaskIsToldByLetterAndRemindedOnDay6(t *testing.T) {
	t.Parallel()
	f := start(t)
	cpr := persona(t, devissuer.PersonaCitizen).CPR
	deadline := time.Now().AddDate(0, 0, 8).Format(time.DateOnly)

	id := f.newAbsence(t, cpr, "employee", events.CitizenTaskComment, events.CitizenTaskApplication, events.CitizenTaskInformationForm)
	ls, rs := f.letters(t, id)
	if len(ls) != 0 {
		t.Fatalf("employee's report tasks: %d letters from citizen, want none (the notification letter names them): %+v", len(ls), ls)
	}
	if len(rs) != 1 || rs[0].ID != id+"/citizen-tasks/letter/"+deadline+"/comment" || rs[0].Channels[0] != events.ChannelLetter ||
		rs[0].Subject != (events.ReminderSubject{Type: events.SubjectTasks, ID: id}) || rs[0].Audience.CPR != cpr ||
		rs[0].Audience.From == nil || *rs[0].Audience.From != blanket.DefaultAuthority("101") || rs[0].Message.Deadline != deadline {
		t.Fatalf("reminder letters %+v, want one on day 6 for %s", rs, deadline)
	}

	later := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	hearing := events.CitizenTasksRequest{AbsenceID: id, CPR: cpr, PersonKind: "employee", Municipality: "101",
		FirstAbsenceDay: time.Now().AddDate(0, 0, -10).Format(time.DateOnly), Tasks: []string{events.CitizenTaskHearing}, Deadline: later}
	f.deliver(t, events.CitizenTasksRequested, id, hearing)
	f.deliver(t, events.CitizenTasksRequested, id, hearing) // a second hearing while the first is open: no new task, no letter
	ls, rs = f.letters(t, id)
	if len(ls) != 1 || ls[0].Kind != events.LetterCitizenTask || ls[0].Data["task"] != events.CitizenTaskHearing ||
		ls[0].Data["deadline"] != later || ls[0].Recipient.CPR.String() != cpr || ls[0].Reference != id {
		t.Fatalf("hearing letters %+v, want one naming the hearing and %s", ls, later)
	}
	if len(rs) != 2 || rs[1].ID != id+"/citizen-tasks/letter/"+later+"/hearing-1" {
		t.Fatalf("reminder letters %+v, want a second one for the hearing's deadline", rs)
	}

	// The hearing answered, nothing else is due on its day: its reminder
	// letter is cancelled; the report's tasks are still open, theirs stays.
	tok := f.token(t, persona(t, devissuer.PersonaCitizen), 0)
	base := "/api/v1/citizen/absences/" + id
	f.want(t, f.call(t, tok, "POST", base+"/legal-text", `{"acknowledged": true}`), 200)
	f.want(t, f.call(t, tok, "POST", base+"/tasks/hearing-1/answer", `{"explanation": "Jeg var indlagt."}`), 201)
	var cancelled []string
	for _, e := range runtimetest.OfType(f.Outbox(t, id), events.ReminderCancelled) {
		var c events.ReminderCancellation
		_ = json.Unmarshal(e.Data, &c)
		cancelled = append(cancelled, c.ID)
	}
	if len(cancelled) != 1 || cancelled[0] != id+"/citizen-tasks/letter/"+later+"/hearing-1" {
		t.Fatalf("cancelled %v, want only the hearing's reminder letter", cancelled)
	}

	self := f.newAbsence(t, cpr, "self-employed", events.CitizenTaskInformationForm)
	ls, _ = f.letters(t, self)
	if len(ls) != 1 || ls[0].Kind != events.LetterCitizenTask || ls[0].Data["tasks"] != events.CitizenTaskInformationForm || ls[0].Data["deadline"] != deadline {
		t.Fatalf("self-employed letters %+v, want one task letter naming the information form", ls)
	}
}
