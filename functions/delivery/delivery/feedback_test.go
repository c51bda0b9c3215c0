package delivery_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/functions/delivery/reconcile"
)

const (
	cvrA = "12345674"
	cvrB = "12345682"
)

// stampedAsRecipient returns the stamps the accept step sets on feedback
// posted by the case system of the recipient data names (nil for other
// types).
func stampedAsRecipient(eventType string, data any) map[string]string {
	if !slices.Contains(events.FeedbackTypes, eventType) {
		return nil
	}
	var d struct {
		Recipient string `json:"recipient"`
	}
	b, _ := json.Marshal(data)
	_ = json.Unmarshal(b, &d)
	return stampedAs(d.Recipient)
}

// stampedAs returns the stamps of feedback posted by recipient's case
// system ("101") or Udbetaling Danmark ("UDK").
func stampedAs(recipient string) map[string]string {
	if recipient == "UDK" {
		return map[string]string{events.ExtTenant: "udk", events.ExtActorRole: events.SenderUDK, events.ExtActor: "udk-1"}
	}
	return map[string]string{events.ExtTenant: "municipality:" + recipient, events.ExtActorRole: events.SenderCaseSystem, events.ExtActor: "ksd-" + recipient}
}

var (
	april = events.DecidedPeriod{From: "2024-04-03", To: "2024-04-30", AmountOre: 1_523_400}
	may   = events.DecidedPeriod{From: "2024-05-01", To: "2024-05-31", AmountOre: 1_700_000}
)

// The employer sees the municipality's case number, status, decision,
// payment and deadlines, and a reconciliation that flags the one
// deliberate difference (May decided lower than expected).
func TestSenderSeesFeedbackAndReconciliation(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", cvrA, 1))
	f.mustPost(events.RefusionExpected, absence, events.RefusionExpectation{AbsenceID: absence, SenderCVR: cvrA, Recipient: "101", ComputedAt: "2024-04-10T08:00:00Z",
		Periods:   []events.ExpectedPeriod{{From: april.From, To: april.To, AmountOre: april.AmountOre}, {From: may.From, To: may.To, AmountOre: may.AmountOre}},
		Deadlines: []events.Deadline{{Kind: "report", Date: "2024-04-08", TextDa: "Anmeld.", TextEn: "Report."}}})
	f.mustPost(events.CaseRegistered, absence, events.CaseRegistration{AbsenceID: absence, Recipient: "101", CaseNumber: "KBH-2024-1", RegisteredOn: "2024-04-11"})
	f.mustPost(events.CaseStatusChanged, absence, events.CaseStatusChange{AbsenceID: absence, Recipient: "101", Status: "awaiting-documentation", ChangedAt: "2024-04-12T09:00:00Z",
		Deadline: &events.Deadline{Kind: "documentation", Date: "2024-04-26", TextDa: "Send lønsedler.", TextEn: "Send payslips."}})
	lowMay := may
	lowMay.AmountOre -= 120_000
	f.mustPost(events.RefusionDecided, absence, events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D1", DecidedOn: "2024-06-03", Outcome: "partly-granted",
		Periods: []events.DecidedPeriod{april, lowMay}})
	f.mustPost(events.PaymentMade, absence, events.Payment{AbsenceID: absence, Recipient: "101", PaymentReference: "P1", AmountOre: april.AmountOre, PeriodFrom: april.From, PeriodTo: april.To, PaidOn: "2024-06-05"})
	f.mustPost(events.PaymentMade, absence, events.Payment{AbsenceID: absence, Recipient: "101", PaymentReference: "P2", AmountOre: lowMay.AmountOre, PeriodFrom: may.From, PeriodTo: may.To, PaidOn: "2024-06-05"})
	// The same payment again changes nothing.
	f.mustPost(events.PaymentMade, absence, events.Payment{AbsenceID: absence, Recipient: "101", PaymentReference: "P2", AmountOre: lowMay.AmountOre, PeriodFrom: may.From, PeriodTo: may.To, PaidOn: "2024-06-05"})

	emp := employer(cvrA)
	var v delivery.AbsenceView
	if code := f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, &v); code != http.StatusOK {
		t.Fatalf("view: %d", code)
	}
	if v.CaseNumber != "KBH-2024-1" || v.Status != "awaiting-documentation" || len(v.History) != 2 || len(v.Decisions) != 1 || len(v.Payments) != 2 || len(v.Deadlines) != 2 {
		t.Fatalf("view: %+v", v)
	}
	r := v.Reconciliation
	if r.Differences != 1 || len(r.Lines) != 2 || r.PaidOre != april.AmountOre+lowMay.AmountOre {
		t.Fatalf("reconciliation: %+v", r)
	}
	if len(r.Lines[0].Flags) != 0 || r.Lines[0].Status != reconcile.StatusSettled {
		t.Fatalf("April: %+v", r.Lines[0])
	}
	if fl := r.Lines[1].Flags; len(fl) != 1 || fl[0].Code != reconcile.FlagDecidedDiffers || fl[0].DifferenceOre != -120_000 {
		t.Fatalf("May: %+v", r.Lines[1])
	}
	// The read is in the ledger; so is every piece of feedback.
	if n := len(f.entries("reads/" + absence)); n != 1 {
		t.Fatalf("%d read entries", n)
	}
	// Every payment message is recorded, the repeated one too (it changed nothing).
	if n := countType(f.entries(absence), events.PaymentMade); n != 3 {
		t.Fatalf("%d payment entries, want 3", n)
	}

	// Another employer, a municipality and an unknown absence: 404 alike.
	other := employer(cvrB)
	cw := caseworker("101")
	for name, code := range map[string]int{
		"other employer": f.call("GET", "/api/v1/feedback/absences/"+absence, &other, nil, nil),
		"caseworker":     f.call("GET", "/api/v1/feedback/absences/"+absence, &cw, nil, nil),
		"unknown":        f.call("GET", "/api/v1/feedback/absences/"+newAbsence(), &emp, nil, nil),
	} {
		if code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, code)
		}
	}
}

// Feedback is refused from a municipality the absence was not delivered to,
// and from a submitter whose verified tenant is another municipality.
func TestFeedbackOnlyFromTheRecipient(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", cvrA, 1))
	reg := events.CaseRegistration{AbsenceID: absence, Recipient: "147", CaseNumber: "FRB-1", RegisteredOn: "2024-04-11"}
	if code := f.post(events.CaseRegistered, absence, reg, stampedAs("147")); code != http.StatusUnprocessableEntity {
		t.Fatalf("feedback from 147 about 101's absence: %d", code)
	}
	reg.Recipient = "101"
	if code := f.post(events.CaseRegistered, absence, reg, stampedAs("147")); code != http.StatusForbidden {
		t.Fatalf("feedback naming 101 posted by 147: %d", code)
	}
	if code := f.post(events.CaseRegistered, absence, reg, stampedAs("101")); code/100 != 2 {
		t.Fatalf("feedback from 101: %d", code)
	}
	emp := employer(cvrA)
	var v delivery.AbsenceView
	if f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, &v); v.CaseNumber != "FRB-1" {
		t.Fatalf("case number: %q", v.CaseNumber)
	}
}

// Blankets without feedback (early follow-up, subsidies, a-kasse reports)
// and items no blanket has (a citizen's answer): the feedback is ignored
// with a ledger entry, and the sender sees nothing. A kind outside the
// contract is refused before it reaches a stream.
func TestNoFeedbackForBlanketsWithoutIt(t *testing.T) {
	t.Parallel()
	f := start(t)
	unknown := newAbsence()
	req := report(unknown, "101", "sickness.report", cvrA, 1)
	req.Kind = "something.unknown"
	if code := f.post(events.DeliveryRequested, unknown, req, nil); code != http.StatusBadRequest {
		t.Errorf("kind outside the contract: %d, want %d", code, http.StatusBadRequest)
	}
	for _, kind := range []string{"sickness.early-follow-up", "subsidy.wage", "sickness.akasse.report", "citizen.answer"} {
		t.Run(kind, func(t *testing.T) {
			absence := newAbsence()
			f.mustPost(events.DeliveryRequested, absence, report(absence, "101", kind, cvrA, 1))
			f.mustPost(events.CaseRegistered, absence, events.CaseRegistration{AbsenceID: absence, Recipient: "101", CaseNumber: "X-1", RegisteredOn: "2024-04-11"})
			f.mustPost(events.RefusionDecided, absence, events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D1", DecidedOn: "2024-06-03",
				Outcome: "refused", Refusal: &events.RefusalReason{TextDa: "Nej.", TextEn: "No."}})
			emp := employer(cvrA)
			if code := f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, nil); code != http.StatusNotFound {
				t.Fatalf("sender view of a blanket without feedback: %d", code)
			}
			ignored := 0
			for _, r := range f.entries(absence) {
				if r.EventType == events.CaseRegistered || r.EventType == events.RefusionDecided {
					if string(r.Reason) == "" {
						t.Fatalf("feedback recorded without the reason it was ignored: %+v", r)
					}
					ignored++
				}
			}
			if ignored != 2 {
				t.Fatalf("%d ignored feedback entries, want 2", ignored)
			}
		})
	}
}

// A municipality's request for a hearing becomes a citizen task.
func TestCaseTaskBecomesCitizenTask(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	// An a-kasse report: no feedback to the sender, but the citizen still gets tasks.
	f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.akasse.report", cvrA, 1))
	task := events.CaseTaskRequest{AbsenceID: absence, Recipient: "101", Task: "hearing", CPR: "1203854321", FirstAbsenceDay: "2024-03-04", Deadline: "2024-05-10"}
	f.mustPost(events.CaseTaskRequested, absence, task)
	eventually(t, "citizen.tasks.requested published", func() bool { return len(f.Sink.OfType(events.CitizenTasksRequested)) == 1 })
	ev := f.Sink.OfType(events.CitizenTasksRequested)[0]
	if err := events.Validate(ev); err != nil {
		t.Fatalf("emitted event invalid: %v", err)
	}
	var got events.CitizenTasksRequest
	if err := ev.DataAs(&got); err != nil || got.Municipality != "101" || len(got.Tasks) != 1 || got.Tasks[0] != "hearing" || got.SenderCVR != cvrA || got.PersonKind != "employee" {
		t.Fatalf("tasks: %+v %v", got, err)
	}
	task.Recipient = "147"
	if code := f.post(events.CaseTaskRequested, absence, task, stampedAs("147")); code != http.StatusUnprocessableEntity {
		t.Fatalf("task from a municipality the absence was not delivered to: %d", code)
	}
}

// Issue 16 (Critical): an employer planted a refusion.decided "granted" on
// another employer's absence, and the delivery function took it because
// feedback without a tenant stamp was accepted on the recipient it names.
// Feedback without the accept step's stamps (tenant, case-system role) is
// refused with a permanent 400 and changes nothing; stamped by the
// recipient it is taken.
func TestFeedbackWithoutTenantStampIsRefused(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", cvrA, 1))
	forged := events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D-FORGED", DecidedOn: "2024-06-03", Outcome: "granted",
		Periods: []events.DecidedPeriod{{From: "2024-04-03", To: "2024-04-30", AmountOre: 99_999_900}}}
	employerStamp := map[string]string{events.ExtTenant: "cvr:" + cvrB, events.ExtActorRole: "employer", events.ExtActor: "emp"}
	for name, ext := range map[string]map[string]string{
		"no stamp":          nil,
		"role only":         {events.ExtActorRole: events.SenderCaseSystem},
		"tenant, no role":   {events.ExtTenant: "municipality:101"},
		"an employer's one": employerStamp,
	} {
		if code := f.post(events.RefusionDecided, absence, forged, ext); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}
	for _, typ := range []string{events.CaseRegistered, events.CaseStatusChanged, events.PaymentMade, events.CaseTaskRequested} {
		var data any
		switch typ {
		case events.CaseRegistered:
			data = events.CaseRegistration{AbsenceID: absence, Recipient: "101", CaseNumber: "X", RegisteredOn: "2024-04-11"}
		case events.CaseStatusChanged:
			data = events.CaseStatusChange{AbsenceID: absence, Recipient: "101", Status: "closed", ChangedAt: "2024-04-12T09:00:00Z"}
		case events.PaymentMade:
			data = events.Payment{AbsenceID: absence, Recipient: "101", PaymentReference: "X", AmountOre: 1, PeriodFrom: "2024-04-03", PeriodTo: "2024-04-30", PaidOn: "2024-06-05"}
		case events.CaseTaskRequested:
			data = events.CaseTaskRequest{AbsenceID: absence, Recipient: "101", Task: "hearing", CPR: "1203854321", FirstAbsenceDay: "2024-03-04", Deadline: "2024-05-10"}
		}
		if code := f.post(typ, absence, data, nil); code != http.StatusBadRequest {
			t.Errorf("%s without stamp: %d, want 400", typ, code)
		}
	}
	emp := employer(cvrA)
	var v delivery.AbsenceView
	f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, &v)
	if len(v.Decisions) != 0 || len(v.Payments) != 0 || v.CaseNumber != "" {
		t.Fatalf("unstamped feedback reached the sender's view: %+v", v)
	}
	f.mustPost(events.RefusionDecided, absence, events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D-1", DecidedOn: "2024-06-03",
		Outcome: "granted", Periods: []events.DecidedPeriod{april}})
	v = delivery.AbsenceView{}
	if f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, &v); len(v.Decisions) != 1 {
		t.Fatalf("the recipient's stamped decision: %+v", v)
	}
}
