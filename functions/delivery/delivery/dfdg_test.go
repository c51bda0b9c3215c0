package delivery_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
)

// A municipality that looks an absence up before its recovery is told when
// the recovery arrives: an item in its stream. Another municipality cannot
// look it up; a lookup after the recovery subscribes nobody.
func TestDataFoundationLookupAndRecoveryNotification(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", cvrA, 1))
	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "sick", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", RegisteredOn: "2024-03-20", Reporter: "employer"})

	cs := caseSystem("101")
	var got delivery.DfdgLookup
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, &cs, nil, &got); code != http.StatusOK {
		t.Fatalf("lookup: %d", code)
	}
	if got.FirstAbsenceDay != "2024-03-04" || got.LastAbsenceDay != "" || got.SickRegisteredOn != "2024-03-20" || !got.Subscribed || len(got.Notices) != 1 {
		t.Fatalf("lookup: %+v", got)
	}
	other, emp := caseSystem("147"), employer(cvrA)
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, &other, nil, nil); code != http.StatusNotFound {
		t.Fatalf("lookup by another municipality: %d", code)
	}
	if code := f.call("GET", "/api/v1/dfdg/absences/"+absence, &emp, nil, nil); code != http.StatusNotFound {
		t.Fatalf("lookup by an employer: %d", code)
	}

	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "recovery", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", LastAbsenceDay: "2024-04-19", RegisteredOn: "2024-04-22", Reporter: "employer"})
	var page delivery.Page
	f.call("GET", "/api/v1/deliveries/101", &cs, nil, &page)
	if len(page.Items) != 2 || page.Items[1].Kind != events.DfdgRecoveryKind || page.Items[1].CaseRef != absence {
		t.Fatalf("101's stream: %+v", page.Items)
	}
	var rec events.DfdgRecovery
	if err := json.Unmarshal(page.Items[1].Payload, &rec); err != nil || rec.LastAbsenceDay != "2024-04-19" || rec.RecoveryRegisteredOn != "2024-04-22" || rec.SickRegisteredOn != "2024-03-20" {
		t.Fatalf("recovery payload: %s %v", page.Items[1].Payload, err)
	}
	var m map[string]any
	if err := json.Unmarshal(page.Items[1].Payload, &m); err != nil || m["cpr"] != nil {
		t.Fatalf("the recovery notification must carry no CPR number: %v %v", m, err)
	}
	// A second recovery notice (a correction) does not notify again.
	f.mustPost(events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "recovery", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", LastAbsenceDay: "2024-04-20", RegisteredOn: "2024-04-23", Reporter: "employer"})
	if f.call("GET", "/api/v1/deliveries/101", &cs, nil, &page); len(page.Items) != 2 {
		t.Fatalf("notified twice: %+v", page.Items)
	}
	if f.call("GET", "/api/v1/dfdg/absences/"+absence, &cs, nil, &got); got.Subscribed || got.LastAbsenceDay != "2024-04-20" || len(got.Notices) != 3 {
		t.Fatalf("lookup after recovery: %+v", got)
	}
}
