package delivery_test

import (
	"net/http"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
)

// The case's status at the recipient is the newest in its history, however
// the changes arrive; before any, it is "delivered" since the first item.
// The loop belongs to the recipient and sender of the first item with
// feedback: a later item of the same absence to another recipient does not
// move it there.
func TestFeedbackLoopIsReadFromItsItemsAndHistory(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	before := time.Now().Add(-time.Second)
	f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", "cvr:"+cvrA, 1))
	f.mustPost(events.DeliveryRequested, absence, report(absence, "147", "sickness.report", "cvr:"+cvrA, 2))
	emp := employer(cvrA)
	var v delivery.AbsenceView
	if code := f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, &v); code != http.StatusOK {
		t.Fatalf("view: %d", code)
	}
	if v.Recipient != "101" || v.Status != "delivered" || v.StatusAt.Before(before) || v.StatusAt.After(time.Now()) {
		t.Fatalf("before any status: recipient %q, status %q at %v", v.Recipient, v.Status, v.StatusAt)
	}
	f.mustPost(events.CaseStatusChanged, absence, events.CaseStatusChange{AbsenceID: absence, Recipient: "101", Status: "decided", ChangedAt: "2024-05-02T09:00:00Z"})
	f.mustPost(events.CaseStatusChanged, absence, events.CaseStatusChange{AbsenceID: absence, Recipient: "101", Status: "in-progress", ChangedAt: "2024-04-12T09:00:00Z"})
	if code := f.post(events.CaseStatusChanged, absence, events.CaseStatusChange{AbsenceID: absence, Recipient: "147", Status: "closed", ChangedAt: "2024-06-01T09:00:00Z"},
		stampedAs("147")); code/100 != 2 {
		t.Fatalf("147's status about an absence whose loop is 101's: %d; want it ignored", code)
	}
	f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, &v)
	if want, _ := time.Parse(time.RFC3339, "2024-05-02T09:00:00Z"); v.Status != "decided" || !v.StatusAt.Equal(want) || len(v.History) != 2 {
		t.Fatalf("status %q at %v, history %+v; want decided at %v", v.Status, v.StatusAt, v.History, want)
	}
	var list delivery.AbsenceList
	if code := f.call("GET", "/api/v1/feedback/absences", &emp, nil, &list); code != http.StatusOK {
		t.Fatalf("list: %d", code)
	}
	for _, a := range list.Absences {
		if a.AbsenceID == absence && (a.Status != "decided" || !a.Feedback) {
			t.Fatalf("list: %+v", a)
		}
	}
}
