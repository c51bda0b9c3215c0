package citizen_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// seeds/003 "Meld dig rask" and sygedagpengeloven § 7: the person reports
// themself fit. The information form is given only while the absence has no
// last day, so its open task is closed, with a state the person sees
// ("cancelled", why in Danish and English) and a refusal if they try to
// answer it; the comment on the report and the sygedagpenge application
// still concern the days sick and stay open. Once the last open task is
// closed, the tasks' reminders are cancelled (citizen.tasks.closed).
func TestSDL7_RecoveryClosesTheInformationFormTaskAndKeepsTheApplication(t *testing.T) {
	t.Parallel()
	f := start(t)
	me := persona(t, devissuer.PersonaCitizen)
	tok := f.token(t, me, 0)
	today := time.Now().In(mustCopenhagen(t)).Format(time.DateOnly)
	recover := func(t *testing.T, base string) {
		t.Helper()
		f.want(t, f.call(t, tok, "POST", base+"/legal-text", `{"acknowledged": true}`), 200)
		f.want(t, f.call(t, tok, "POST", base+"/recovery", `{"lastAbsenceDay": "`+today+`"}`), 201)
	}
	statuses := func(t *testing.T, base string) map[string]map[string]any {
		t.Helper()
		v := f.want(t, f.call(t, tok, "GET", base, nil), 200)
		out := map[string]map[string]any{}
		list, _ := v.body["tasks"].([]any)
		for _, x := range list {
			m := x.(map[string]any)
			out[m["kind"].(string)] = m
		}
		return out
	}

	t.Run("the application stays open", func(t *testing.T) {
		id := f.newAbsence(t, me.CPR, "employee", events.CitizenTaskApplication, events.CitizenTaskInformationForm)
		base := "/api/v1/citizen/absences/" + id
		recover(t, base)
		s := statuses(t, base)
		form, app := s[events.CitizenTaskInformationForm], s[events.CitizenTaskApplication]
		closed, _ := form["closed"].(map[string]any)
		if form["status"] != "cancelled" || closed["da"] == nil || closed["en"] == nil || app["status"] != "open" {
			t.Fatalf("tasks after the recovery: %v", s)
		}
		if r := f.call(t, tok, "POST", base+"/information-form/submit", nil); r.status != 409 || r.body["code"] != "task-cancelled" {
			t.Errorf("sending the closed form: %d %s, want 409 task-cancelled", r.status, r.raw)
		}
		if n := len(runtimetest.OfType(f.Outbox(t, id), events.CitizenTasksClosed)); n != 0 {
			t.Errorf("%d tasks closed while the application is open, want 0", n)
		}
	})

	t.Run("the form was the last open task", func(t *testing.T) {
		id := f.newAbsence(t, me.CPR, "employee", events.CitizenTaskInformationForm)
		base := "/api/v1/citizen/absences/" + id
		recover(t, base)
		if s := statuses(t, base); s[events.CitizenTaskInformationForm]["status"] != "cancelled" {
			t.Fatalf("tasks after the recovery: %v", s)
		}
		v := f.want(t, f.call(t, tok, "GET", base, nil), 200)
		if c, _ := v.body["counter"].(float64); c != 0 {
			t.Errorf("task counter %v, want 0", v.body["counter"])
		}
		out := f.Outbox(t, id)
		closed := runtimetest.OfType(out, events.CitizenTasksClosed)
		var c events.CitizenTasksClosure
		if len(closed) == 1 {
			_ = json.Unmarshal(closed[0].Data, &c)
		}
		if len(closed) != 1 || c.AbsenceID != id || len(runtimetest.OfType(out, events.CitizenRecoveryReported)) != 1 {
			t.Errorf("emitted %v; want one citizen.tasks.closed and one recovery", out)
		}
	})
}

// Sygedagpengeloven § 7 and DOMAIN.md "Partial absence": the absence can end
// without the person's own recovery — the sender's recovery, or the
// person's partial resumption with under 4 hours' absence a week, which only
// the sickness function can tell. Its recovery notice for the data
// foundation (dfdg.notice.requested, kind recovery) ends the absence here
// too: the information form is closed, the application stays open, the
// recovery is no longer offered; a sick notice or the same notice again
// changes nothing.
func TestSDL7_TheSicknessFunctionsRecoveryNoticeClosesTheFormTask(t *testing.T) {
	t.Parallel()
	f := start(t)
	me := persona(t, devissuer.PersonaCitizen)
	tok := f.token(t, me, 0)
	first := time.Now().AddDate(0, 0, -10).Format(time.DateOnly)
	// The sickness function's absences are UUIDs (the notice's schema says so).
	newAbsence := func(tasks ...string) string {
		id := uuid.NewString()
		f.deliver(t, events.CitizenTasksRequested, id, events.CitizenTasksRequest{AbsenceID: id, CPR: me.CPR, PersonKind: "employee", Municipality: "101",
			SenderName: "Demo A/S", SenderCVR: "30000005", FirstAbsenceDay: first, Tasks: tasks, Deadline: time.Now().AddDate(0, 0, 8).Format(time.DateOnly),
			Report: json.RawMessage(`{"wagesPaid": false, "weeklyHours": 37}`)})
		return id
	}
	id := newAbsence(events.CitizenTaskApplication, events.CitizenTaskInformationForm)
	base := "/api/v1/citizen/absences/" + id
	last := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	notice := func(kind, last string) events.DfdgNotice {
		return events.DfdgNotice{Kind: kind, AbsenceID: id, CPR: me.CPR, FirstAbsenceDay: first, LastAbsenceDay: last, RegisteredOn: last, Reporter: "employer"}
	}
	kinds := func() map[string]any {
		v := f.want(t, f.call(t, tok, "GET", base, nil), 200)
		out := map[string]any{"active": v.body["active"]}
		for _, x := range v.body["tasks"].([]any) {
			m := x.(map[string]any)
			out[m["kind"].(string)] = m["status"]
		}
		return out
	}
	sick := notice("sick", "")
	sick.RegisteredOn = first
	f.deliver(t, events.DfdgNoticeRequested, id, sick)
	if k := kinds(); k[events.CitizenTaskInformationForm] != "open" || k["active"] != true {
		t.Fatalf("after a sick notice: %v", k)
	}
	f.deliver(t, events.DfdgNoticeRequested, id, notice("recovery", last))
	k := kinds()
	if k[events.CitizenTaskInformationForm] != "cancelled" || k[events.CitizenTaskApplication] != "open" || k["active"] != false {
		t.Fatalf("after the recovery notice: %v; want the form cancelled, the application open, the absence no longer active", k)
	}
	entries := len(f.Ledger(t, id))
	f.deliver(t, events.DfdgNoticeRequested, id, notice("recovery", last))
	if n := len(f.Ledger(t, id)); n != entries {
		t.Errorf("the same notice again: %d ledger entries, want %d", n, entries)
	}
	if n := len(runtimetest.OfType(f.Outbox(t, id), events.CitizenTasksClosed)); n != 0 {
		t.Errorf("%d citizen.tasks.closed while the application is open", n)
	}
	// The last open task closed this way cancels the tasks' reminders.
	only := newAbsence(events.CitizenTaskInformationForm)
	f.deliver(t, events.DfdgNoticeRequested, only, events.DfdgNotice{Kind: "recovery", AbsenceID: only, CPR: me.CPR, FirstAbsenceDay: first,
		LastAbsenceDay: last, RegisteredOn: last, Reporter: "employer"})
	if n := len(runtimetest.OfType(f.Outbox(t, only), events.CitizenTasksClosed)); n != 1 {
		t.Errorf("%d citizen.tasks.closed when the form was the only open task, want 1", n)
	}
}
