package citizen_test

import (
	"encoding/json"
	"testing"
	"time"

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
