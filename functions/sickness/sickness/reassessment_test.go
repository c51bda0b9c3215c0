package sickness

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// Sygedagpengeloven § 24 (revurdering): when the refusion of an absence
// passes 22 weeks within 9 months, the municipality gets a reassessment
// item in its stream, once, and the employer's feedback a line saying by
// when the municipality reassesses (the reassessment deadline of the
// expected refusion, which the delivery function stores and shows).
func TestScenario_SDL24_MunicipalityGetsOneReassessmentNotice_EmployerALine(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := uuid.Must(uuid.NewV7()).String()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }
	deliver := func(typ string, data any, when time.Time) {
		t.Helper()
		ev := blankettest.Submission(t, typ, id, data)
		ev.SetTime(when)
		f.Deliver(t, ev)
		f.Deliver(t, ev) // a redelivery changes nothing
	}
	notices := func() []events.DeliveryRequest {
		t.Helper()
		var out []events.DeliveryRequest
		for _, e := range runtimetest.OfType(f.Outbox(t, id), events.DeliveryRequested) {
			var d events.DeliveryRequest
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Kind == "sickness.reassessment" {
				if err := events.ValidateJSON(events.DeliveryRequested, e.Data); err != nil {
					t.Errorf("the notice does not fit its schema: %v", err)
				}
				out = append(out, d)
			}
		}
		return out
	}
	r := employerReport(t, at(2024, time.March, 4))
	deliver(events.SicknessEmployerReported, r, at(2024, time.April, 8)) // refusion 3–8 April
	deliver(events.SicknessPeriodReported, events.SicknessPeriodReport{AbsenceID: id, CVR: r.CVR, From: "2024-04-09", To: "2024-06-30"}, at(2024, time.July, 1))
	if n := len(notices()); n != 0 {
		t.Fatalf("%d reassessment notices after 89 days of refusion, want none", n)
	}
	// 3 April–30 September: 181 days, more than 22 weeks within 9 months.
	deliver(events.SicknessPeriodReported, events.SicknessPeriodReport{AbsenceID: id, CVR: r.CVR, From: "2024-07-01", To: "2024-09-30"}, at(2024, time.October, 1))
	ns := notices()
	if len(ns) != 1 {
		t.Fatalf("%d reassessment notices after 181 days of refusion, want 1", len(ns))
	}
	if n := ns[0]; n.Recipient != "101" || n.ItemID != id+"/sickness.reassessment" || n.CaseRef != id || n.Sender != "cvr:"+r.CVR {
		t.Errorf("notice %+v, want København (101), the absence, once per absence", n)
	}
	var item events.BlanketItem
	if err := json.Unmarshal(ns[0].Payload, &item); err != nil || len(item.Reasons) != 1 || item.Reasons[0].Rule != "sdl-24-reassessment" ||
		item.Reasons[0].Law != "sygedagpengeloven § 24" || item.Blanket != events.SicknessPeriodReported {
		t.Errorf("notice payload %+v (%v), want the next period with the § 24 reason", item, err)
	}
	xs := expectations(t, f, id)
	last := xs[len(xs)-1]
	if len(last.Deadlines) != 1 || last.Deadlines[0].Kind != "reassessment" || last.Deadlines[0].Date != "2024-09-30" ||
		last.Deadlines[0].TextDa == "" || last.Deadlines[0].TextEn == "" {
		t.Errorf("the employer's line %+v, want the reassessment by 30 September 2024 in Danish and English", last.Deadlines)
	}

	// The next period and the recovery tell the municipality nothing more.
	deliver(events.SicknessPeriodReported, events.SicknessPeriodReport{AbsenceID: id, CVR: r.CVR, From: "2024-10-01", To: "2024-10-31"}, at(2024, time.November, 1))
	deliver(events.SicknessRecoveryReported, events.SicknessRecoveryReport{AbsenceID: id, CVR: r.CVR, LastAbsenceDay: "2024-10-31"}, at(2024, time.November, 2))
	if n := len(notices()); n != 1 {
		t.Errorf("%d reassessment notices in all, want 1 (once per absence)", n)
	}
}
