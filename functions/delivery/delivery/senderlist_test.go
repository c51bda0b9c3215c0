package delivery_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
)

// blanketItem is a delivery as the blanket pipeline sends it: the payload
// names the blanket of the kind, receipt n, the case's version and status,
// the submission with the absence's days and the sickness result. A
// recovery is the absence's second version; a first report its first.
func blanketItem(absence, kind, sender string, n int, status, first, last string) events.DeliveryRequest {
	blanket, version := itemBlankets[kind], 1
	var sub map[string]any
	if kind == "sickness.recovery" {
		version = 2
		sub = map[string]any{"absenceId": absence, "cvr": events.SenderCVR(sender), "lastAbsenceDay": last}
	} else if err := json.Unmarshal([]byte(itemSubmissions[blanket]), &sub); err != nil {
		panic(fmt.Sprintf("submission of %s: %v", blanket, err))
	} else {
		sub["cvr"], sub["firstAbsenceDay"] = events.SenderCVR(sender), first
		if last != "" {
			sub["lastAbsenceDay"] = last
		}
	}
	submission, err := json.Marshal(sub)
	if err != nil {
		panic(err)
	}
	payload, err := events.MarshalPayload(events.BlanketItem{Blanket: blanket, Receipt: fmt.Sprintf("NR-2024-%08d", n), Version: version,
		Status: status, Submission: submission, Result: events.SicknessResult{AbsenceID: absence, Status: status, FirstAbsenceDay: first, LastAbsenceDay: last},
		Reasons: []events.Reason{}})
	if err != nil {
		panic(err)
	}
	return events.DeliveryRequest{ItemID: fmt.Sprintf("%s/%s/%d", absence, kind, n), Recipient: "101", Kind: kind, CaseRef: absence,
		Sender: sender, Payload: payload}
}

// The sender's list: only the CVR's own absences, newest first, each with
// its status at the municipality, the next deadline and the next action;
// follow-ups are counted on their absence, not listed as absences. Other
// senders see none of them; principals that send nothing are refused.
func TestSenderListsItsAbsencesWithStatusDeadlineAndNextAction(t *testing.T) {
	t.Parallel()
	f := start(t)
	soon := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	past := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)

	// 1: open, registered by the municipality, a documentation deadline.
	open := newAbsence()
	f.mustPost(events.DeliveryRequested, open, blanketItem(open, "sickness.report", "cvr:"+cvrA, 1, "reported", "2024-04-01", ""))
	f.mustPost(events.CaseRegistered, open, events.CaseRegistration{AbsenceID: open, Recipient: "101", CaseNumber: "KBH-1", RegisteredOn: "2024-04-11"})
	f.mustPost(events.CaseStatusChanged, open, events.CaseStatusChange{AbsenceID: open, Recipient: "101", Status: "awaiting-documentation",
		ChangedAt: "2024-04-12T09:00:00Z", Deadline: &events.Deadline{Kind: "documentation", Date: soon, TextDa: "Send lønsedler.", TextEn: "Send payslips."}})
	f.mustPost(events.CaseStatusChanged, open, events.CaseStatusChange{AbsenceID: open, Recipient: "101", Status: "awaiting-documentation",
		ChangedAt: "2024-04-12T09:00:01Z", Deadline: &events.Deadline{Kind: "old", Date: past, TextDa: "Forbi.", TextEn: "Past."}})
	// 2: recovered through a follow-up, decided and paid.
	done := newAbsence()
	f.mustPost(events.DeliveryRequested, done, blanketItem(done, "sickness.report", cvrA, 2, "reported", "2024-03-01", ""))
	f.mustPost(events.DeliveryRequested, done, blanketItem(done, "sickness.recovery", "cvr:"+cvrA, 3, "recovered", "2024-03-01", "2024-03-20"))
	f.mustPost(events.RefusionDecided, done, events.RefusionDecision{AbsenceID: done, Recipient: "101", DecisionID: "D1", DecidedOn: "2024-04-03", Outcome: "granted",
		Periods: []events.DecidedPeriod{april}})
	f.mustPost(events.PaymentMade, done, events.Payment{AbsenceID: done, Recipient: "101", PaymentReference: "P1", AmountOre: april.AmountOre,
		PeriodFrom: april.From, PeriodTo: april.To, PaidOn: "2024-04-05"})
	// 3: a blanket without feedback.
	quiet := newAbsence()
	f.mustPost(events.DeliveryRequested, quiet, blanketItem(quiet, "sickness.early-follow-up", "cvr:"+cvrA, 4, "early-follow-up", "2024-05-01", ""))
	// Another company's absence.
	theirs := newAbsence()
	f.mustPost(events.DeliveryRequested, theirs, blanketItem(theirs, "sickness.report", "cvr:"+cvrB, 5, "reported", "2024-04-01", ""))

	emp := employer(cvrA)
	var list delivery.AbsenceList
	if code := f.call("GET", "/api/v1/feedback/absences", &emp, nil, &list); code != http.StatusOK {
		t.Fatalf("list: %d", code)
	}
	byID := map[string]delivery.AbsenceSummary{}
	for _, a := range list.Absences {
		byID[a.AbsenceID] = a
	}
	if list.CVR != cvrA || len(list.Absences) != 3 || byID[theirs].AbsenceID != "" {
		t.Fatalf("list of %s: %+v", cvrA, list)
	}
	if list.Absences[0].AbsenceID != quiet || list.Absences[2].AbsenceID != open {
		t.Errorf("newest first: %s, %s, %s", list.Absences[0].AbsenceID, list.Absences[1].AbsenceID, list.Absences[2].AbsenceID)
	}
	cases := []struct {
		name, id, status, action, deadline string
		followUps                          int
	}{
		{"open with a deadline", open, "awaiting-documentation", "deadline", soon, 0},
		{"recovered and paid", done, "delivered", "none", "", 1},
		{"without feedback", quiet, "delivered", "none", "", 0},
	}
	for _, c := range cases {
		a := byID[c.id]
		got := ""
		if a.NextDeadline != nil {
			got = a.NextDeadline.Date
		}
		if a.Status != c.status || a.NextAction.Code != c.action || got != c.deadline || a.FollowUps != c.followUps || a.NextAction.Da == "" || a.NextAction.En == "" {
			t.Errorf("%s: %+v", c.name, a)
		}
	}
	if a := byID[open]; a.CaseNumber != "KBH-1" || a.Receipt != "NR-2024-00000001" || a.FirstAbsenceDay != "2024-04-01" || !a.Feedback || a.NextAction.Da != "Send lønsedler." {
		t.Errorf("open: %+v", a)
	}
	if a := byID[done]; a.LastAbsenceDay != "2024-03-20" || a.State != "recovered" || a.Decisions != 1 || a.PaidOre != april.AmountOre {
		t.Errorf("recovered: %+v", a)
	}

	// The other company sees only its own; the limit pages.
	other := employer(cvrB)
	if f.call("GET", "/api/v1/feedback/absences", &other, nil, &list); len(list.Absences) != 1 || list.Absences[0].AbsenceID != theirs {
		t.Errorf("other company: %+v", list)
	}
	if f.call("GET", "/api/v1/feedback/absences?limit=2", &emp, nil, &list); len(list.Absences) != 2 || !list.More {
		t.Errorf("limit 2: %d absences, more %v", len(list.Absences), list.More)
	}

	// Principals that send nothing, an employer user without the right,
	// no token and a bad limit.
	noRight := auth.Claims{Subject: "emp-x", Role: auth.RoleEmployer, CVR: cvrA, LoA: auth.LoASubstantial}
	cw := caseworker("101")
	for name, c := range map[string]struct {
		claims *auth.Claims
		path   string
		want   int
	}{
		"caseworker":     {&cw, "/api/v1/feedback/absences", http.StatusForbidden},
		"operator":       {&admin, "/api/v1/feedback/absences", http.StatusForbidden},
		"without right":  {&noRight, "/api/v1/feedback/absences", http.StatusForbidden},
		"no token":       {nil, "/api/v1/feedback/absences", http.StatusUnauthorized},
		"limit too high": {&emp, "/api/v1/feedback/absences?limit=501", http.StatusBadRequest},
	} {
		if code := f.call("GET", c.path, c.claims, nil, nil); code != c.want {
			t.Errorf("%s: %d, want %d", name, code, c.want)
		}
	}
}
