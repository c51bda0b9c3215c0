package citizen_test

import (
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
)

// feedback delivers a case system's feedback as intake forwards it: stamped
// with the tenant and role of whoever posted it.
func (f *fixture) feedback(t *testing.T, typ, key, tenant string, data any) {
	t.Helper()
	ev, err := events.New(typ, "test", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.SetExtension(events.ExtTenant, tenant)
	ev.SetExtension(events.ExtActorRole, events.SenderCaseSystem)
	f.Deliver(t, ev)
}

// "Status på min sag" (seeds/003) shows the case status, the first absence
// day and the amount calculated before tax, as the municipality's case
// system (KSD) fed them back; feedback from another municipality changes
// nothing, and another person's absence is the same 404 as a missing one.
func TestCaseStatusShowsTheMunicipalitysFeedbackToThePersonOnly(t *testing.T) {
	t.Parallel()
	f := start(t)
	me := persona(t, devissuer.PersonaCitizen)
	id := f.newAbsence(t, me.CPR, "employee", events.CitizenTaskComment)
	tok := f.token(t, me, 0)
	path := "/api/v1/citizen/absences/" + id + "/case-status"

	r := f.want(t, f.call(t, tok, "GET", path, nil), 200)
	if r.body["status"] != "" || r.body["amountBeforeTaxOre"] != nil || r.body["firstAbsenceDay"] != time.Now().AddDate(0, 0, -10).Format(time.DateOnly) {
		t.Fatalf("before any feedback: %s", r.raw)
	}
	if r.body["paidTo"] != "you" {
		t.Fatalf("no wages paid: the amount is paid to the person: %s", r.raw)
	}

	now := time.Now().UTC()
	f.feedback(t, events.CaseStatusChanged, id, "municipality:101", events.CaseStatusChange{AbsenceID: id, Recipient: "101", Status: "in-progress",
		ChangedAt: now.Format(time.RFC3339), NoteDa: "Vi behandler sagen.", NoteEn: "We are processing the case."})
	f.feedback(t, events.RefusionDecided, id, "municipality:101", events.RefusionDecision{AbsenceID: id, Recipient: "101", DecisionID: "d1",
		DecidedOn: now.Format(time.DateOnly), Outcome: "granted", Periods: []events.DecidedPeriod{
			{From: "2026-11-01", To: "2026-11-14", AmountOre: 1_000_000}, {From: "2026-11-15", To: "2026-11-28", AmountOre: 234_500}}})
	// Another municipality's case system about this absence: ignored.
	f.feedback(t, events.CaseStatusChanged, id, "municipality:147", events.CaseStatusChange{AbsenceID: id, Recipient: "147", Status: "closed",
		ChangedAt: now.Add(time.Hour).Format(time.RFC3339)})
	// An older status arriving late does not replace the newer one.
	f.feedback(t, events.CaseStatusChanged, id, "municipality:101", events.CaseStatusChange{AbsenceID: id, Recipient: "101", Status: "registered",
		ChangedAt: now.Add(-time.Hour).Format(time.RFC3339)})

	r = f.want(t, f.call(t, tok, "GET", path, nil), 200)
	if r.body["status"] != "in-progress" || r.body["outcome"] != "granted" {
		t.Fatalf("status and outcome: %s", r.raw)
	}
	if amt, _ := r.body["amountBeforeTaxOre"].(float64); amt != 1_234_500 {
		t.Fatalf("amount before tax %v, want the decided periods' sum 1234500 øre: %s", r.body["amountBeforeTaxOre"], r.raw)
	}
	if note, _ := r.body["note"].(map[string]any); note["da"] != "Vi behandler sagen." {
		t.Fatalf("note: %s", r.raw)
	}

	other := persona(t, devissuer.PersonaCitizenOther)
	otok := f.token(t, other, 0)
	foreign := f.want(t, f.call(t, otok, "GET", path, nil), 404)
	missing := f.want(t, f.call(t, otok, "GET", "/api/v1/citizen/absences/no-such-absence/case-status", nil), 404)
	if foreign.raw != missing.raw {
		t.Fatalf("foreign %s, missing %s", foreign.raw, missing.raw)
	}
	if n := f.denials(t, other.Subject, "citizen/absences/"+id); n != 1 {
		t.Fatalf("%d denials in the ledger, want 1", n)
	}
}

// A receipt carries what was sent (seeds/003: a copy of the answer under
// "Indsendt af dig / Kvittering"), to the person only.
func TestAReceiptCarriesWhatWasSent(t *testing.T) {
	t.Parallel()
	f := start(t)
	me := persona(t, devissuer.PersonaCitizen)
	id := f.newAbsence(t, me.CPR, "employee", events.CitizenTaskComment)
	tok := f.token(t, me, 0)
	base := "/api/v1/citizen/absences/" + id
	f.want(t, f.call(t, tok, "POST", base+"/legal-text", map[string]bool{"acknowledged": true}), 200)
	out := f.want(t, f.call(t, tok, "POST", base+"/tasks/comment/answer", map[string]any{"agree": false, "comment": "Jeg arbejder 37 timer."}), 201)
	answer := out.body["receipt"].(map[string]any)["answerId"].(string)
	r := f.want(t, f.call(t, tok, "GET", base+"/receipts/"+answer, nil), 200)
	if a, _ := r.body["answer"].(map[string]any); a["comment"] != "Jeg arbejder 37 timer." || a["agree"] != false {
		t.Fatalf("the receipt's answer: %s", r.raw)
	}
	if rc, _ := r.body["receipt"].(map[string]any); rc["answerId"] != answer || rc["signed"] != true {
		t.Fatalf("the receipt: %s", r.raw)
	}
	f.want(t, f.call(t, tok, "GET", base+"/receipts/no-such-answer", nil), 404)
	other := persona(t, devissuer.PersonaCitizenOther)
	otok := f.token(t, other, 0)
	foreign := f.want(t, f.call(t, otok, "GET", base+"/receipts/"+answer, nil), 404)
	missing := f.want(t, f.call(t, otok, "GET", "/api/v1/citizen/absences/no-such-absence/receipts/"+answer, nil), 404)
	if foreign.raw != missing.raw {
		t.Fatalf("foreign %s, missing %s", foreign.raw, missing.raw)
	}
}
