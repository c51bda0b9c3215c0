package dfdg_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/dfdg/dfdg"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// A municipality that looks an absence up before its recovery is told when
// the recovery arrives (seeds/004 § 133 stk. 3): the function asks for an
// item in its stream (delivery.requested). Another municipality cannot
// look it up; a lookup after the recovery subscribes nobody.
func TestDataFoundationLookupAndRecoveryNotification(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, delivered(absence, "101"))
	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "sick", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", RegisteredOn: "2024-03-20", Reporter: "employer"})

	cs := caseSystem("101")
	var got dfdg.Lookup
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, cs, &got); code != http.StatusOK {
		t.Fatalf("lookup: %d", code)
	}
	if got.FirstAbsenceDay != "2024-03-04" || got.LastAbsenceDay != "" || got.SickRegisteredOn != "2024-03-20" || !got.Subscribed || len(got.Notices) != 1 {
		t.Fatalf("lookup: %+v", got)
	}
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, caseSystem("147"), nil); code != http.StatusNotFound {
		t.Fatalf("lookup by another municipality: %d", code)
	}
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, employer("12345674"), nil); code != http.StatusNotFound {
		t.Fatalf("lookup by an employer: %d", code)
	}

	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "recovery", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", LastAbsenceDay: "2024-04-19", RegisteredOn: "2024-04-22", Reporter: "employer"})
	asked := runtimetest.OfType(f.Outbox(t, absence), events.DeliveryRequested)
	if len(asked) != 1 {
		t.Fatalf("delivery.requested: %d; want 1", len(asked))
	}
	var req events.DeliveryRequest
	if err := json.Unmarshal(asked[0].Data, &req); err != nil || req.Recipient != "101" || req.Kind != events.DfdgRecoveryKind || req.CaseRef != absence ||
		req.ItemID != "dfdg-recovery/"+absence+"/101" {
		t.Fatalf("delivery request: %+v %v", req, err)
	}
	if _, err := req.DecodePayload(); err != nil {
		t.Fatalf("the recovery notification does not fit the delivery.requested schema: %v", err)
	}
	var rec events.DfdgRecovery
	if err := json.Unmarshal(req.Payload, &rec); err != nil || rec.FirstAbsenceDay != "2024-03-04" || rec.LastAbsenceDay != "2024-04-19" ||
		rec.RecoveryRegisteredOn != "2024-04-22" || rec.SickRegisteredOn != "2024-03-20" {
		t.Fatalf("recovery payload: %s %v", req.Payload, err)
	}
	var m map[string]any
	if err := json.Unmarshal(req.Payload, &m); err != nil || m["cpr"] != nil {
		t.Fatalf("the recovery notification must carry no CPR number: %v %v", m, err)
	}
	// A second recovery notice (a correction) does not notify again.
	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "recovery", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", LastAbsenceDay: "2024-04-20", RegisteredOn: "2024-04-23", Reporter: "employer"})
	if n := len(runtimetest.OfType(f.Outbox(t, absence), events.DeliveryRequested)); n != 1 {
		t.Fatalf("notified %d times", n)
	}
	if f.call("GET", "/api/v1/dfdg/absences/"+absence, cs, &got); got.Subscribed || got.LastAbsenceDay != "2024-04-20" || got.RecoveryRegisteredOn != "2024-04-23" || len(got.Notices) != 3 {
		t.Fatalf("lookup after recovery: %+v", got)
	}
}

// Only a municipality the absence was delivered to may look it up: an item
// for Udbetaling Danmark opens it to no municipality, and a cancelled
// absence subscribes nobody.
func TestLookupNeedsDeliveryToTheMunicipality(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, delivered(absence, "UDK"))
	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "sick", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", RegisteredOn: "2024-03-20", Reporter: "employer"})
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, caseSystem("101"), nil); code != http.StatusNotFound {
		t.Fatalf("lookup of an absence never delivered to 101: %d", code)
	}
	f.mustPost(events.DeliveryRequested, absence, delivered(absence, "101"))
	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "cancelled", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", RegisteredOn: "2024-03-21", Reporter: "employer"})
	var got dfdg.Lookup
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, caseSystem("101"), &got); code != http.StatusOK || !got.Cancelled || got.Subscribed || got.FirstAbsenceDay != "2024-03-04" {
		t.Fatalf("lookup of a cancelled absence: %d %+v", code, got)
	}
}

// Data that does not fit the notice's type is refused with the one code
// for that (runtime.Decode), and a recovery without a last day is refused.
func TestNoticeDataIsChecked(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	code, body := f.post(events.DfdgNoticeRequested, absence, map[string]any{"kind": "sick", "absenceId": absence, "firstAbsenceDay": 7})
	if code != http.StatusBadRequest || !strings.Contains(body, `"code":"`+runtime.CodeInvalidData+`"`) {
		t.Fatalf("notice of the wrong shape: %d %s", code, body)
	}
	code, body = f.post(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "recovery", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", RegisteredOn: "2024-04-22", Reporter: "employer"})
	if code != http.StatusBadRequest || !strings.Contains(body, "lastAbsenceDay") {
		t.Fatalf("recovery without a last day: %d %s", code, body)
	}
}
