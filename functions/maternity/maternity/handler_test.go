package maternity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// These tests run the definitions through the real runtime and pipeline
// against Postgres with the synthetic registers; what the function emits
// is read from its own outbox.

type fixture struct{ *runtimetest.Kit }

// newFixture runs the parental definitions on the blanket pipeline.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	rates, err := kernel.LoadRates(fmt.Sprintf("%d=4845", time.Now().Year()))
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Rates: rates}
	return &fixture{blankettest.Start(t, "maternity", h.Definitions()...)}
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func ptr[T any](v T) *T { return &v }

// leave is a leave of a week, starting days ago.
func leave(daysAgo int, wages *float64) events.LeavePeriod {
	from := time.Now().AddDate(0, 0, -daysAgo)
	return events.LeavePeriod{From: day(from), To: day(from.AddDate(0, 0, 6)), Kind: events.LeaveBirth, HoursAbsent: 37, WagesPaid: wages}
}

func employerRequest(t *testing.T, continues bool, ps ...events.LeavePeriod) events.ParentalEmployerReport {
	p := blankettest.Persona(t, synth.PersonaEmployee)
	return events.ParentalEmployerReport{CPR: p.CPR.String(), CVR: p.CVR.String(), PNumber: p.PNumber.String(),
		ChildDate: day(time.Now().AddDate(0, 0, -60)), WeeklyHours: 37, HourlyEarnings: 210, EmployedSince: "2019-05-01",
		Periods: ps, LeaveContinues: continues, Contact: events.Contact{Name: "Lone Løn"}}
}

// letters returns the kinds of letters requested, keyed by kind, with
// who they go to ("cpr" or "cvr").
func letters(t *testing.T, out []runtimetest.Emitted) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, e := range runtimetest.OfType(out, events.LetterRequested) {
		var l events.LetterRequest
		_ = json.Unmarshal(e.Data, &l)
		to := "cvr"
		if !l.Recipient.CPR.IsZero() {
			to = "cpr"
		}
		got[l.Kind] = to
		if l.Sender.Name != "Udbetaling Danmark" {
			t.Errorf("letter %s sent on behalf of %q, want Udbetaling Danmark", l.Kind, l.Sender.Name)
		}
	}
	return got
}

func schemaValid(t *testing.T, out []runtimetest.Emitted) {
	t.Helper()
	for _, e := range out {
		if err := events.ValidateJSON(e.Type, e.Data); err != nil {
			t.Errorf("%s does not fit its schema: %v", e.Type, err)
		}
	}
}

// The employer's request goes to UDK (barselsloven § 40 stk. 1) once,
// with a receipt to the employer, a notification letter to the employee,
// the feedback, the expected refusion and the deadline reminders of a
// leave that goes on; a second request for the same leave continues the
// case, and one overlapping a period already requested is refused.
func TestEmployerRequestGoesToUDKWithReceiptNotificationFeedbackAndReminders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := uuid.Must(uuid.NewV7()).String()
	ev := blankettest.Submission(t, events.ParentalEmployerReported, id, employerRequest(t, true, leave(20, ptr(7770.0))))
	f.Deliver(t, ev)
	f.Deliver(t, ev) // redelivered: no second effect

	out := f.Outbox(t, id)
	for typ, n := range map[string]int{events.DeliveryRequested: 1, events.LetterRequested: 2, events.BlanketDecided: 1,
		events.RefusionExpected: 1, events.CitizenTasksRequested: 0, events.BlanketRejected: 0} {
		if got := len(runtimetest.OfType(out, typ)); got != n {
			t.Errorf("%d × %s, want %d", got, typ, n)
		}
	}
	schemaValid(t, out)
	var del events.DeliveryRequest
	_ = json.Unmarshal(runtimetest.OfType(out, events.DeliveryRequested)[0].Data, &del)
	if del.Recipient != "UDK" || del.Kind != DeliveryEmployer || !events.DeliveryKindHasFeedback(del.Kind) {
		t.Errorf("delivery to %s of %s, want parental.report to UDK", del.Recipient, del.Kind)
	}
	if l := letters(t, out); l[events.LetterSenderReceipt] != "cvr" || l[events.LetterNotification] != "cpr" {
		t.Errorf("letters %v, want a receipt to the employer and a notification to the employee", l)
	}
	var dec events.BlanketDecision
	_ = json.Unmarshal(runtimetest.OfType(out, events.BlanketDecided)[0].Data, &dec)
	res, _ := dec.Result.(events.ParentalEmployerResult)
	if dec.Recipient != "UDK" || len(res.Refusion.Periods) == 0 || res.Refusion.Periods[0].Refusion == nil || *res.Refusion.Periods[0].Refusion != 484515 || res.Refusion.Periods[0].CappedBy != "dagpenge" {
		t.Errorf("feedback %s: want 37 h × 130.95 kr (the provisional maximum 4,845 kr / 37) = 4,845.15 kr; got %+v", dec.Recipient, dec.Result)
	}
	if len(runtimetest.OfType(out, events.ReminderScheduled)) == 0 {
		t.Error("no reminder of the next deadline for a leave that goes on")
	}

	// The next period of the same leave continues the case; the leave ends.
	next := blankettest.Submission(t, events.ParentalEmployerReported, uuid.Must(uuid.NewV7()).String(), employerRequest(t, false, leave(13, ptr(7770.0))))
	f.Deliver(t, next)
	out = f.Outbox(t, id)
	if n := len(runtimetest.OfType(out, events.DeliveryRequested)); n != 2 {
		t.Fatalf("%d deliveries in the case after the second request, want 2", n)
	}
	if n := len(runtimetest.OfType(out, events.ReminderCancelled)); n != 1 {
		t.Errorf("%d reminder cancellations when the leave ended, want 1", n)
	}
	var version int
	_ = f.Svc.DB.QueryRow(context.Background(), `SELECT version FROM blanket_cases WHERE id = $1`, id).Scan(&version)
	if version != 2 {
		t.Errorf("version %d, want 2", version)
	}

	// A period already requested is refused, naming the period.
	dup := blankettest.Submission(t, events.ParentalEmployerReported, uuid.Must(uuid.NewV7()).String(), employerRequest(t, false, leave(20, ptr(100.0))))
	f.Deliver(t, dup)
	rej := runtimetest.OfType(f.Outbox(t, id), events.BlanketRejected)
	if len(rej) != 1 || !bytes.Contains(rej[0].Data, []byte("already_requested")) {
		t.Errorf("overlapping request: %s", rej)
	}
}

// The self-employed's own request: to UDK, a receipt and feedback, no
// notification letter (they are the person).
func TestSelfEmployedRequestHasFeedbackButNoNotification(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := blankettest.Persona(t, synth.PersonaSelfEmployed)
	id := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.ParentalSelfEmployedReported, id, events.ParentalSelfEmployedReport{
		CPR: p.CPR.String(), CVR: p.CVR.String(), ChildDate: day(time.Now().AddDate(0, 0, -30)), WeeklyHours: 40,
		BusinessSince: "2015-06-01", Periods: []events.LeavePeriod{leave(20, nil)}, Contact: events.Contact{Name: "Selv"}}))
	out := f.Outbox(t, id)
	for typ, n := range map[string]int{events.DeliveryRequested: 1, events.LetterRequested: 1, events.BlanketDecided: 1, events.BlanketRejected: 0} {
		if got := len(runtimetest.OfType(out, typ)); got != n {
			t.Errorf("%d × %s, want %d", got, typ, n)
		}
	}
	schemaValid(t, out)
	if l := letters(t, out); l[events.LetterSenderReceipt] != "cvr" || l[events.LetterNotification] != "" {
		t.Errorf("letters %v, want only the receipt", l)
	}

	// Another person's company is not theirs to report for.
	other := blankettest.Persona(t, synth.PersonaEmployee)
	id2 := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.ParentalSelfEmployedReported, id2, events.ParentalSelfEmployedReport{
		CPR: other.CPR.String(), CVR: p.CVR.String(), ChildDate: day(time.Now().AddDate(0, 0, -30)), WeeklyHours: 40,
		BusinessSince: "2015-06-01", Periods: []events.LeavePeriod{leave(20, nil)}, Contact: events.Contact{Name: "Selv"}}))
	if rej := runtimetest.OfType(f.Outbox(t, id2), events.BlanketRejected); len(rej) != 1 || !bytes.Contains(rej[0].Data, []byte("cpr.not_owner")) {
		t.Errorf("not the owner: %s", rej)
	}
}

// The a-kasse's information: to UDK, a receipt and a notification letter
// to the member, no feedback.
func TestAKasseInformationHasNotificationButNoFeedback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := blankettest.Persona(t, synth.PersonaUnemployedMember)
	id := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.ParentalAKasseReported, id, events.ParentalAKasseReport{
		CPR: p.CPR.String(), CVR: p.CVR.String(), ChildDate: day(time.Now().AddDate(0, 0, -30)), MemberSince: "2010-01-01",
		Insurance: "full-time", FullyUnemployed: true, Periods: []events.LeavePeriod{leave(20, nil)}, Contact: events.Contact{Name: "A-kassen"}}))
	out := f.Outbox(t, id)
	for typ, n := range map[string]int{events.DeliveryRequested: 1, events.LetterRequested: 2, events.BlanketDecided: 0, events.BlanketRejected: 0} {
		if got := len(runtimetest.OfType(out, typ)); got != n {
			t.Errorf("%d × %s, want %d", got, typ, n)
		}
	}
	schemaValid(t, out)
	if l := letters(t, out); l[events.LetterSenderReceipt] != "cvr" || l[events.LetterNotification] != "cpr" {
		t.Errorf("letters %v, want a receipt to the a-kasse and a notification to the member", l)
	}
	var del events.DeliveryRequest
	_ = json.Unmarshal(runtimetest.OfType(out, events.DeliveryRequested)[0].Data, &del)
	if del.Recipient != "UDK" || del.Kind != DeliveryAKasse || events.DeliveryKindHasFeedback(del.Kind) {
		t.Errorf("delivery %s to %s", del.Kind, del.Recipient)
	}
}

// results returns the result of the one delivery.requested and, when the
// blanket gives feedback, the one blanket.decided in out, each decoded
// with events.DecodeBlanketResult from the JSON the function emitted.
func results(t *testing.T, out []runtimetest.Emitted, typ string, feedback bool) []events.BlanketResult {
	t.Helper()
	var raws []json.RawMessage
	dels := runtimetest.OfType(out, events.DeliveryRequested)
	if len(dels) != 1 {
		t.Fatalf("%d deliveries, want 1", len(dels))
	}
	var del events.DeliveryRequest
	var item struct {
		Blanket string          `json:"blanket"`
		Result  json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(dels[0].Data, &del); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(del.Payload, &item); err != nil || item.Blanket != typ {
		t.Fatalf("delivery payload of blanket %q (%v), want %s", item.Blanket, err, typ)
	}
	raws = append(raws, item.Result)
	if feedback {
		decs := runtimetest.OfType(out, events.BlanketDecided)
		if len(decs) != 1 {
			t.Fatalf("%d decisions, want 1", len(decs))
		}
		var dec struct {
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(decs[0].Data, &dec); err != nil {
			t.Fatal(err)
		}
		raws = append(raws, dec.Result)
	}
	var rs []events.BlanketResult
	for _, raw := range raws {
		r, err := events.DecodeBlanketResult(typ, raw)
		if err != nil {
			t.Fatalf("result %s: %v", raw, err)
		}
		rs = append(rs, r)
	}
	return rs
}

// barselsloven § 39: the refusion is the barselsdagpenge for the hours
// absent — 37 h × 130.95 kr (this year's maximum 4,845 kr a week / 37 h;
// 210 kr an hour after AM-bidrag is more) = 4,845.15 kr — but never more
// than the wages paid, here 3,000 kr. § 40 stk. 2 and 3: the leave ends
// with the period, so the leave period expires a week after its last day
// and the deadline is 8 weeks later. The delivery to UDK and the feedback
// carry it as events.ParentalEmployerResult.
func TestEmployerResultIsTheContractsWithRefusionCappedByWages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := uuid.Must(uuid.NewV7()).String()
	lp := leave(20, ptr(3000.0))
	f.Deliver(t, blankettest.Submission(t, events.ParentalEmployerReported, id, employerRequest(t, false, lp)))
	out := f.Outbox(t, id)
	schemaValid(t, out)
	to, _ := time.Parse(time.DateOnly, lp.To)
	expires, deadline := day(to.AddDate(0, 0, 7)), day(to.AddDate(0, 0, 7+8*7))
	for i, r := range results(t, out, events.ParentalEmployerReported, true) {
		res, ok := r.(events.ParentalEmployerResult)
		if !ok {
			t.Fatalf("result %d is %T, want events.ParentalEmployerResult", i, r)
		}
		if res.CaseID != id || res.Version != 1 || res.Status != "requested" || res.ChildDate == "" {
			t.Errorf("result %d: case %s version %d status %q child %q", i, res.CaseID, res.Version, res.Status, res.ChildDate)
		}
		ref := res.Refusion
		if len(ref.Periods) != 1 || len(ref.LeavePeriods) != 1 {
			t.Fatalf("result %d: %d periods and %d leave periods, want 1 and 1", i, len(ref.Periods), len(ref.LeavePeriods))
		}
		p := ref.Periods[0]
		want := func(name string, got *events.Kroner, ore events.Kroner) {
			if got == nil || *got != ore {
				t.Errorf("result %d: %s %v, want %s kr", i, name, got, ore)
			}
		}
		want("maxHourlyRate", p.MaxHourlyRate, 13095)
		want("hourlyRate", p.HourlyRate, 13095)
		want("dagpenge", p.Dagpenge, 484515)
		want("refusion", p.Refusion, 300000)
		if p.CappedBy != "wages" || p.WagesPaid != 300000 || p.From != lp.From || p.To != lp.To || p.HoursAbsent != 37 || p.Lapsed {
			t.Errorf("result %d: period %+v, want %s–%s, 37 h, wages 3000.00 capping it", i, p, lp.From, lp.To)
		}
		if p.Deadline == nil || *p.Deadline != deadline || p.LeavePeriodFrom != lp.From || p.LeavePeriodTo != lp.To {
			t.Errorf("result %d: leave period %s–%s deadline %v, want %s–%s by %s", i, p.LeavePeriodFrom, p.LeavePeriodTo, p.Deadline, lp.From, lp.To, deadline)
		}
		if l := ref.LeavePeriods[0]; l.Open || l.Expires != expires || l.Deadline != deadline {
			t.Errorf("result %d: leave period %+v, want closed, expiring %s, deadline %s", i, l, expires, deadline)
		}
		if ref.Total != 300000 || !ref.Complete || ref.NextDeadline != "" || len(ref.MissingRateYears) != 0 {
			t.Errorf("result %d: total %s complete %v next %q missing %v, want 3000.00, complete, no next deadline", i, ref.Total, ref.Complete, ref.NextDeadline, ref.MissingRateYears)
		}
	}
}

// The self-employed's request (barselsloven § 40 stk. 3): the delivery to
// UDK and the feedback carry the periods reported and the open leave period
// they form as events.ParentalLeaveResult; UDK computes the dagpenge.
func TestSelfEmployedResultIsTheContractsLeavePeriods(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := blankettest.Persona(t, synth.PersonaSelfEmployed)
	id := uuid.Must(uuid.NewV7()).String()
	lp := leave(20, nil)
	f.Deliver(t, blankettest.Submission(t, events.ParentalSelfEmployedReported, id, events.ParentalSelfEmployedReport{
		CPR: p.CPR.String(), CVR: p.CVR.String(), ChildDate: day(time.Now().AddDate(0, 0, -30)), WeeklyHours: 40,
		BusinessSince: "2015-06-01", Periods: []events.LeavePeriod{lp}, LeaveContinues: true, Contact: events.Contact{Name: "Selv"}}))
	out := f.Outbox(t, id)
	schemaValid(t, out)
	to, _ := time.Parse(time.DateOnly, lp.To)
	for i, r := range results(t, out, events.ParentalSelfEmployedReported, true) {
		res, ok := r.(events.ParentalLeaveResult)
		if !ok {
			t.Fatalf("result %d is %T, want events.ParentalLeaveResult", i, r)
		}
		want := events.ParentalPeriod{From: lp.From, To: lp.To, Kind: events.LeaveBirth, HoursAbsent: 37}
		if res.CaseID != id || res.Version != 1 || len(res.Periods) != 1 || res.Periods[0] != want {
			t.Errorf("result %d: case %s version %d periods %+v, want %s, 1, [%+v]", i, res.CaseID, res.Version, res.Periods, id, want)
		}
		wantLP := events.ParentalLeavePeriod{From: lp.From, To: lp.To, Open: true, Expires: day(to.AddDate(0, 0, 7)), Deadline: day(to.AddDate(0, 0, 63))}
		if len(res.LeavePeriods) != 1 || res.LeavePeriods[0] != wantLP {
			t.Errorf("result %d: leave periods %+v, want [%+v]", i, res.LeavePeriods, wantLP)
		}
	}
}
