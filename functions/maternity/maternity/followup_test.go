package maternity

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// newLeave makes an employee's leave with one request and returns its
// case id and the request.
func newLeave(t *testing.T, f *fixture, continues bool) (string, events.ParentalEmployerReport) {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	r := employerRequest(t, continues, leave(20, ptr(7770.0)))
	f.Deliver(t, blankettest.Submission(t, events.ParentalEmployerReported, id, r))
	if n := len(runtimetest.OfType(f.Outbox(t, id), events.BlanketDecided)); n != 1 {
		t.Fatalf("%d decisions of the first request, want 1", n)
	}
	return id, r
}

// followUp delivers a follow-up of case id and returns what it emitted.
func followUp(t *testing.T, f *fixture, typ, id string, data any) []runtimetest.Emitted {
	t.Helper()
	before := len(f.Outbox(t, id))
	f.Deliver(t, blankettest.Submission(t, typ, id, data))
	return f.Outbox(t, id)[before:]
}

func rejectedWith(t *testing.T, out []runtimetest.Emitted, code string) {
	t.Helper()
	rej := runtimetest.OfType(out, events.BlanketRejected)
	if len(rej) != 1 || !bytes.Contains(rej[0].Data, []byte(`"`+code+`"`)) {
		t.Errorf("want one rejection with %s; got %d: %s", code, len(rej), rej)
	}
	if n := len(runtimetest.OfType(out, events.DeliveryRequested)); n != 0 {
		t.Errorf("a refused follow-up was delivered %d times", n)
	}
}

func employerRefusion(t *testing.T, out []runtimetest.Emitted) events.ParentalEmployerResult {
	t.Helper()
	dec := runtimetest.OfType(out, events.BlanketDecided)
	if len(dec) != 1 {
		t.Fatalf("%d decisions, want 1", len(dec))
	}
	var d events.BlanketDecision
	if err := json.Unmarshal(dec[0].Data, &d); err != nil {
		t.Fatal(err)
	}
	res, ok := d.Result.(events.ParentalEmployerResult)
	if !ok || d.Recipient != "UDK" {
		t.Fatalf("decision to %s with %T, want an employer's refusion to UDK", d.Recipient, d.Result)
	}
	return res
}

func expected(t *testing.T, out []runtimetest.Emitted) events.RefusionExpectation {
	t.Helper()
	exp := runtimetest.OfType(out, events.RefusionExpected)
	if len(exp) != 1 {
		t.Fatalf("%d refusion expectations, want 1", len(exp))
	}
	var e events.RefusionExpectation
	_ = json.Unmarshal(exp[0].Data, &e)
	return e
}

// barselsloven § 39: the refusion is the dagpenge of the hourly earnings
// after AM-bidrag, at most the maximum rate. A correction of the hourly
// earnings computes the refusion of the leave again: 100 kr an hour is
// 92.00 kr after AM-bidrag, so 37 hours give 3,404.00 kr instead of the
// maximum (4,845.15 kr); UDK gets the correction, the employer the new
// result, and the expected refusion is replaced.
func TestBarsel39_CorrectionOfHourlyEarningsComputesTheRefusionAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, r := newLeave(t, f, false)
	out := followUp(t, f, events.ParentalCorrectionSubmitted, id, events.ParentalCorrection{AbsenceID: id, CVR: r.CVR,
		Explanation: "Forkert timeløn", HourlyEarnings: ptr(100.0)})
	schemaValid(t, out)
	res := employerRefusion(t, out)
	if p := res.Refusion.Periods; len(p) != 1 || p[0].Refusion == nil || *p[0].Refusion != 340400 || res.Refusion.Total != 340400 {
		t.Errorf("corrected refusion %+v, want 37 h × 92.00 kr = 3,404.00 kr", res.Refusion)
	}
	if res.CaseID != id || res.Version != 2 {
		t.Errorf("case %s version %d, want %s version 2", res.CaseID, res.Version, id)
	}
	if e := expected(t, out); len(e.Periods) != 1 || e.Periods[0].AmountOre != 340400 || e.Recipient != "UDK" {
		t.Errorf("expected refusion %+v, want the corrected 3,404.00 kr from UDK", e)
	}
	var del events.DeliveryRequest
	_ = json.Unmarshal(runtimetest.OfType(out, events.DeliveryRequested)[0].Data, &del)
	if del.Recipient != "UDK" || del.Kind != DeliveryCorrection {
		t.Errorf("delivery %s to %s, want %s to UDK", del.Kind, del.Recipient, DeliveryCorrection)
	}
	// Hourly earnings are needed on an employee's leave: the requests do not keep them.
	out = followUp(t, f, events.ParentalCorrectionSubmitted, id, events.ParentalCorrection{AbsenceID: id, CVR: r.CVR,
		Explanation: "Orloven fortsætter", LeaveContinues: ptr(true)})
	rejectedWith(t, out, "required")
}

// barselsloven § 40 stk. 2: a correction does not make a request late.
// The corrected periods are judged on the day the leave was first
// requested, so a leave period whose deadline has passed since then keeps
// its refusion.
func TestBarsel40_CorrectionIsJudgedAsOfTheFirstRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, r := newLeave(t, f, false)
	// Pretend the leave was first requested within the deadline, long ago
	// compared to a period that ended 20 weeks ago.
	old := leave(140, ptr(7770.0))
	if _, err := f.Svc.DB.Exec(context.Background(), `UPDATE blanket_cases SET created_at = now() - interval '133 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	out := followUp(t, f, events.ParentalCorrectionSubmitted, id, events.ParentalCorrection{AbsenceID: id, CVR: r.CVR,
		Explanation: "Forkert periode", HourlyEarnings: ptr(210.0), Periods: []events.LeavePeriod{old}})
	res := employerRefusion(t, out)
	if p := res.Refusion.Periods; len(p) != 1 || p[0].Lapsed || p[0].Refusion == nil || *p[0].Refusion == 0 {
		t.Errorf("corrected period %+v: want its refusion kept (requested in time, § 40 stk. 2)", res.Refusion.Periods)
	}
}

// barselsloven § 40 stk. 2–3: the next request of a leave that goes on
// continues the case (the leave's person, child and sender), is computed
// like the first (§ 39) and refused for a period already requested; a leave
// that no longer goes on has no next deadline, so its reminders are
// cancelled.
func TestBarsel40_NextPeriodContinuesTheLeave(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, r := newLeave(t, f, true)
	out := followUp(t, f, events.ParentalPeriodReported, id, events.ParentalPeriodReport{AbsenceID: id, CVR: r.CVR,
		HourlyEarnings: ptr(210.0), Periods: []events.LeavePeriod{leave(13, ptr(7770.0))}})
	schemaValid(t, out)
	res := employerRefusion(t, out)
	if p := res.Refusion.Periods; len(p) != 1 || p[0].From != leave(13, nil).From || p[0].Refusion == nil || *p[0].Refusion != 484515 {
		t.Errorf("next period's refusion %+v, want 4,845.15 kr for the week from %s", res.Refusion.Periods, leave(13, nil).From)
	}
	if res.CaseID != id || res.Version != 2 || res.Refusion.NextDeadline != "" {
		t.Errorf("case %s version %d deadline %q: want the same leave, version 2, ended", res.CaseID, res.Version, res.Refusion.NextDeadline)
	}
	if n := len(runtimetest.OfType(out, events.ReminderCancelled)); n != 1 {
		t.Errorf("%d reminder cancellations for a leave that ended, want 1", n)
	}
	out = followUp(t, f, events.ParentalPeriodReported, id, events.ParentalPeriodReport{AbsenceID: id, CVR: r.CVR,
		HourlyEarnings: ptr(210.0), Periods: []events.LeavePeriod{leave(13, ptr(100.0))}})
	rejectedWith(t, out, "already_requested")
	// No wages per period on an employee's leave: the refusion is at most them (§ 39).
	out = followUp(t, f, events.ParentalPeriodReported, id, events.ParentalPeriodReport{AbsenceID: id, CVR: r.CVR,
		HourlyEarnings: ptr(210.0), Periods: []events.LeavePeriod{leave(6, nil)}})
	rejectedWith(t, out, "required")
}

// A follow-up names a leave of its own sender: another employer's case is
// answered as one that does not exist, and nothing changes.
func TestParentalFollowUpOfAnotherSendersLeaveIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, _ := newLeave(t, f, true)
	other := blankettest.Persona(t, synth.PersonaSeasonalEmployer).CVR.String()
	for typ, data := range map[string]any{
		events.ParentalCorrectionSubmitted:   events.ParentalCorrection{AbsenceID: id, CVR: other, Explanation: "x", HourlyEarnings: ptr(1.0)},
		events.ParentalCancellationSubmitted: events.FollowUpCancellation{AbsenceID: id, CVR: other, Explanation: "x"},
		events.ParentalPeriodReported:        events.ParentalPeriodReport{AbsenceID: id, CVR: other, HourlyEarnings: ptr(1.0), Periods: []events.LeavePeriod{leave(13, ptr(1.0))}},
	} {
		out := followUp(t, f, typ, id, data)
		rejectedWith(t, out, "case.unknown")
	}
	var version int
	var status string
	_ = f.Svc.DB.QueryRow(context.Background(), `SELECT version, status FROM blanket_cases WHERE id = $1`, id).Scan(&version, &status)
	if version != 1 || status == StatusCancelled {
		t.Errorf("another sender's follow-ups changed the leave: version %d, status %s", version, status)
	}
	// A case id that is no case at all is answered alike.
	out := followUp(t, f, events.ParentalCancellationSubmitted, id, events.FollowUpCancellation{AbsenceID: uuid.Must(uuid.NewV7()).String(),
		CVR: other, Explanation: "x"})
	rejectedWith(t, out, "case.unknown")
}

// A cancelled leave (withdrawn, barselsloven § 40: nothing is requested
// from UDK any more) expects no refusion, has its reminders cancelled,
// takes no more follow-ups, and a new request for the same child opens a
// new leave.
func TestParentalCancelledLeaveTakesNoFollowUps(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, r := newLeave(t, f, true)
	out := followUp(t, f, events.ParentalCancellationSubmitted, id, events.FollowUpCancellation{AbsenceID: id, CVR: r.CVR, Explanation: "Forkert medarbejder"})
	schemaValid(t, out)
	if n := len(runtimetest.OfType(out, events.BlanketRejected)); n != 0 {
		t.Fatalf("cancellation rejected: %s", runtimetest.OfType(out, events.BlanketRejected))
	}
	if res := employerRefusion(t, out); res.Status != StatusCancelled || len(res.Refusion.Periods) != 0 {
		t.Errorf("cancellation's result %+v, want cancelled with no refusion", res)
	}
	if e := expected(t, out); len(e.Periods) != 0 {
		t.Errorf("expected refusion after cancellation %+v, want none", e.Periods)
	}
	if n := len(runtimetest.OfType(out, events.ReminderCancelled)); n != 1 {
		t.Errorf("%d reminder cancellations, want 1", n)
	}
	for typ, data := range map[string]any{
		events.ParentalCorrectionSubmitted:   events.ParentalCorrection{AbsenceID: id, CVR: r.CVR, Explanation: "x", HourlyEarnings: ptr(100.0)},
		events.ParentalCancellationSubmitted: events.FollowUpCancellation{AbsenceID: id, CVR: r.CVR, Explanation: "x"},
		events.ParentalPeriodReported:        events.ParentalPeriodReport{AbsenceID: id, CVR: r.CVR, HourlyEarnings: ptr(210.0), Periods: []events.LeavePeriod{leave(13, ptr(7770.0))}},
	} {
		rejectedWith(t, followUp(t, f, typ, id, data), "case.cancelled")
	}
	id2 := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.ParentalEmployerReported, id2, r))
	if n := len(runtimetest.OfType(f.Outbox(t, id2), events.BlanketDecided)); n != 1 {
		t.Errorf("a new request for the child after the cancellation: %d decisions in a new case, want 1", n)
	}
}

// The self-employed's leave: a correction replaces the periods reported
// (barselsloven § 40 stk. 3: the leave periods they form) and takes no
// wages or hourly earnings, which only an employer's request has.
func TestBarsel40_SelfEmployedCorrectionReplacesThePeriods(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := blankettest.Persona(t, synth.PersonaSelfEmployed)
	id := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.ParentalSelfEmployedReported, id, events.ParentalSelfEmployedReport{
		CPR: p.CPR.String(), CVR: p.CVR.String(), ChildDate: day(time.Now().AddDate(0, 0, -30)), WeeklyHours: 40,
		BusinessSince: "2015-06-01", Periods: []events.LeavePeriod{leave(20, nil)}, Contact: events.Contact{Name: "Selv"}}))
	rejectedWith(t, followUp(t, f, events.ParentalCorrectionSubmitted, id, events.ParentalCorrection{AbsenceID: id, CVR: p.CVR.String(),
		Explanation: "x", HourlyEarnings: ptr(100.0)}), "not_allowed")
	out := followUp(t, f, events.ParentalCorrectionSubmitted, id, events.ParentalCorrection{AbsenceID: id, CVR: p.CVR.String(),
		Explanation: "Forkert uge", Periods: []events.LeavePeriod{leave(27, nil)}})
	schemaValid(t, out)
	dec := runtimetest.OfType(out, events.BlanketDecided)
	if len(dec) != 1 {
		t.Fatalf("%d decisions, want 1", len(dec))
	}
	var d events.BlanketDecision
	_ = json.Unmarshal(dec[0].Data, &d)
	res, _ := d.Result.(events.ParentalLeaveResult)
	if len(res.Periods) != 1 || res.Periods[0].From != leave(27, nil).From || len(res.LeavePeriods) != 1 || res.LeavePeriods[0].From != leave(27, nil).From {
		t.Errorf("corrected leave %+v, want only the week from %s", res, leave(27, nil).From)
	}
}
