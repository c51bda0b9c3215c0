package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// crListRow is the absence's row in the employer's work list.
type crListRow struct {
	AbsenceID      string `json:"absenceId"`
	State          string `json:"state"`
	LastAbsenceDay string `json:"lastAbsenceDay"`
	NextAction     struct {
		Code string `json:"code"`
	} `json:"nextAction"`
}

// crRow reads the employer's work list (GET /api/v1/feedback/absences)
// searched by the report's receipt and returns the absence's row.
func crRow(t *testing.T, receipt, absence string) (crListRow, bool) {
	t.Helper()
	var list struct {
		Absences []crListRow `json:"absences"`
	}
	if code := dlvCall(t, dlvEmployer(employeeReport(t, time.Now()).CVR), "GET", "/api/v1/feedback/absences?q="+url.QueryEscape(receipt), nil, &list); code != http.StatusOK {
		return crListRow{}, false
	}
	for _, r := range list.Absences {
		if r.AbsenceID == absence {
			return r, true
		}
	}
	return crListRow{}, false
}

// Sygedagpengeloven § 7 (raskmelding), seeds/003 "Meld dig rask", seeds/004
// § 133 stk. 3: an employer reports an absence; the municipality (101)
// looks it up in the data foundation before any recovery (and is
// subscribed) and has a push sink; the sick person then reports themself
// fit in Mit Sygefravær. The employer's work list shows the absence
// recovered with the person's last day and no longer asks for a recovery
// (next action "await" instead of "follow-up"); the absence's reminders are
// cancelled; the information-form task is closed for the person; and the
// municipality's sink gets the data foundation's recovery notice.
func TestCitizenRecoveryReachesEmployerRemindersAndDataFoundation(t *testing.T) {
	tok := token(t, devissuer.PersonaEmployer)
	// A first day no other e2e test reports for this person (they share one
	// stack, and a second report of the same first day is a duplicate).
	code, posted := postEventAs(t, tok, employerBlanket(t, uuid.NewString(), "", employeeReport(t, time.Now().AddDate(0, 0, -9))))
	if code != http.StatusAccepted {
		t.Fatalf("the employer's report: %d %v", code, posted)
	}
	absence, _ := posted["stream"].(string)
	receipt, _ := posted["receipt"].(string)
	if count(waitFor(t, absence, events.BlanketDecided, 1), events.BlanketDecided) != 1 {
		t.Fatal("the report was not decided")
	}
	var row crListRow
	dlvEventually(t, "the absence in the employer's work list", 20*time.Second, func() bool {
		var ok bool
		row, ok = crRow(t, receipt, absence)
		return ok && row.State == "reported"
	})
	if c := row.NextAction.Code; c != "follow-up" && c != "deadline" {
		t.Fatalf("before the recovery the next action is %q, want the report's deadline or follow-up (report recovery or the next period)", c)
	}

	// 101 looks the absence up before any recovery (subscribed, § 133 stk. 3) and has a push sink.
	cs101 := dlvCaseSystem("101")
	var look struct {
		Subscribed bool `json:"subscribed"`
	}
	dlvEventually(t, "the data-foundation lookup", 20*time.Second, func() bool {
		return dlvCall(t, cs101, "GET", "/api/v1/dfdg/absences/"+absence, nil, &look) == http.StatusOK
	})
	if !look.Subscribed {
		t.Fatalf("a lookup without a recovery did not subscribe: %+v", look)
	}
	sink := &recordingSink{}
	ss := stack.PushSink(sink)
	defer ss.Close()
	if code := dlvCall(t, cs101, "PUT", "/api/v1/deliveries/101/sink", map[string]string{"url": ss.URL}, nil); code != http.StatusOK {
		t.Fatalf("register sink: %d", code)
	}
	defer dlvCall(t, cs101, "DELETE", "/api/v1/deliveries/101/sink", nil, nil)

	// The sick person reports themself fit.
	base := "/api/v1/citizen/absences/" + absence
	czEventually(t, "the person's tasks", func() bool { return czCall(t, devissuer.PersonaCitizen, "GET", base, "").status == http.StatusOK })
	if r := czCall(t, devissuer.PersonaCitizen, "POST", base+"/legal-text", `{"acknowledged": true}`); r.status != http.StatusOK {
		t.Fatalf("legal text: %d %s", r.status, r.raw)
	}
	last := time.Now().AddDate(0, 0, -2).Format(time.DateOnly)
	if r := czCall(t, devissuer.PersonaCitizen, "POST", base+"/recovery", `{"lastAbsenceDay": "`+last+`"}`); r.status != http.StatusCreated {
		t.Fatalf("recovery: %d %s", r.status, r.raw)
	}

	// The employer sees it recovered, and is no longer asked to report recovery.
	crEventually(t, "the recovery in the employer's work list", absence, func() bool {
		row, _ = crRow(t, receipt, absence)
		return row.State == "recovered"
	})
	if row.LastAbsenceDay != last || row.NextAction.Code != "await" {
		t.Errorf("the employer's row %+v: want the last day %s and next action await", row, last)
	}

	// The absence's reminders are cancelled (the employer's next-period reminder).
	var scheduled, cancelled int
	dlvEventually(t, "the absence's reminders cancelled", 30*time.Second, func() bool {
		_ = db(t).QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE status = 'scheduled'), count(*) FILTER (WHERE status = 'cancelled')
			FROM reminder.reminders WHERE subject_type = 'absence' AND subject_id = $1`, absence).Scan(&scheduled, &cancelled)
		return scheduled == 0 && cancelled > 0
	})

	// The information form no longer applies: closed, with why.
	v := czCall(t, devissuer.PersonaCitizen, "GET", base, "")
	form := ""
	for _, x := range v.body["tasks"].([]any) {
		if m := x.(map[string]any); m["kind"] == events.CitizenTaskInformationForm {
			form, _ = m["status"].(string)
			if c, _ := m["closed"].(map[string]any); c == nil || !strings.Contains(c["da"].(string), "rask") {
				t.Errorf("the closed form says no why: %v", m)
			}
		}
	}
	if form != "cancelled" {
		t.Errorf("the information-form task is %q, want cancelled: %s", form, v.raw)
	}

	// The data foundation's recovery notice reaches 101's sink.
	var rec events.DfdgRecovery
	dlvEventually(t, "the recovery notice at 101's sink", 30*time.Second, func() bool {
		for _, it := range sink.items() {
			if it.Kind == events.DfdgRecoveryKind && it.CaseRef == absence {
				return json.Unmarshal(it.Payload, &rec) == nil
			}
		}
		return false
	})
	if rec.LastAbsenceDay != last || rec.AbsenceID != absence {
		t.Errorf("the recovery notice %+v, want the last day %s", rec, last)
	}

	// The employer reports recovery afterwards with a later day: the
	// person's earlier day stands, no second recovery notice.
	later := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	ev := map[string]any{"specversion": "1.0", "type": events.SicknessRecoveryReported, "source": "/e2e/payroll", "id": uuid.NewString(),
		"partitionkey": absence, "datacontenttype": "application/json",
		"data": events.SicknessRecoveryReport{AbsenceID: absence, CVR: employeeReport(t, time.Now()).CVR, LastAbsenceDay: later}}
	b, _ := json.Marshal(ev)
	if code, out := postEventAs(t, tok, string(b)); code != http.StatusAccepted {
		t.Fatalf("the employer's recovery: %d %v", code, out)
	}
	out := waitFor(t, absence, events.BlanketDecided, 3)
	if n := count(out, events.BlanketDecided); n != 3 || count(out, events.DfdgNoticeRequested) != 2 {
		t.Fatalf("after the employer's later recovery: %d decisions, %d notices; want 3 and still 2 (sick, the person's recovery)", n, count(out, events.DfdgNoticeRequested))
	}
	time.Sleep(time.Second) // the list follows the delivery
	if row, _ = crRow(t, receipt, absence); row.LastAbsenceDay != last || row.State != "recovered" {
		t.Errorf("the employer's row after its later recovery %+v: want the person's %s to stand", row, last)
	}
}

// crEventually waits up to 30 seconds for cond; on a timeout it names what
// the sickness function emitted for absence and where the citizen's
// recovery went.
func crEventually(t *testing.T, what, absence string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			var types []string
			for _, s := range sicknessOutbox(t, absence) {
				types = append(types, s.Type)
			}
			var n int
			_ = db(t).QueryRow(context.Background(), `SELECT count(*) FROM citizen.outbox WHERE partition_key = $1 AND event_type = $2`, absence, events.CitizenRecoveryReported).Scan(&n)
			t.Fatalf("timed out waiting for %s; the sickness function emitted %v; the citizen function %d recoveries", what, types, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
