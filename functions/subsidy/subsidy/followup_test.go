package subsidy

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// newGrant makes a wage subsidy grant with one request for last month and
// returns its case id and the request.
func newGrant(t *testing.T, f *fixture) (string, events.SubsidyWageRequest) {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	r := blankets(t)[events.SubsidyWageRequested].(events.SubsidyWageRequest)
	f.Deliver(t, blankettest.Submission(t, events.SubsidyWageRequested, id, r))
	if n := len(runtimetest.OfType(f.Outbox(t, id), events.DeliveryRequested)); n != 1 {
		t.Fatalf("%d deliveries of the first request, want 1", n)
	}
	return id, r
}

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

func grantOf(t *testing.T, f *fixture, id string) grants.Grant {
	t.Helper()
	var state []byte
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT state FROM blanket_cases WHERE id = $1`, id).Scan(&state); err != nil {
		t.Fatal(err)
	}
	var g grants.Grant
	if err := json.Unmarshal(state, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// delivered returns the one item a follow-up sent and its result.
func delivered(t *testing.T, out []runtimetest.Emitted) (events.DeliveryRequest, events.SubsidyResult) {
	t.Helper()
	dels := runtimetest.OfType(out, events.DeliveryRequested)
	if len(dels) != 1 {
		t.Fatalf("%d deliveries, want 1", len(dels))
	}
	var del events.DeliveryRequest
	_ = json.Unmarshal(dels[0].Data, &del)
	p, err := del.DecodePayload()
	if err != nil {
		t.Fatal(err)
	}
	res, _ := p.(events.BlanketItem).Result.(events.SubsidyResult)
	return del, res
}

// LAB kapitel 12 (løntilskud): each day of a wage subsidy job is paid once.
// A correction of a request replaces its period and hours: the grant then
// holds the corrected period, the municipality gets the correction with
// the corrected figures, and the sender its receipt only (no feedback,
// seeds/000 § 1 stk. 3). A period never requested, or a corrected period
// overlapping another request, is refused.
func TestLABChapter12_CorrectionReplacesTheRequestedPeriod(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, r := newGrant(t, f)
	from, to := lastMonth()
	short := span(from, to.AddDate(0, 0, -3))
	out := followUp(t, f, events.SubsidyCorrectionSubmitted, id, events.SubsidyCorrection{AbsenceID: id, CVR: r.CVR,
		Explanation: "Ansættelsen sluttede før", Period: r.Period, CorrectedPeriod: &short, Hours: ptrF(130)})
	for typ, n := range map[string]int{events.DeliveryRequested: 1, events.LetterRequested: 1, events.BlanketDecided: 0, events.BlanketRejected: 0} {
		if got := len(runtimetest.OfType(out, typ)); got != n {
			t.Errorf("%d × %s, want %d", got, typ, n)
		}
	}
	for _, e := range out {
		if err := events.ValidateJSON(e.Type, e.Data); err != nil {
			t.Errorf("%s does not fit its schema: %v", e.Type, err)
		}
	}
	del, res := delivered(t, out)
	if del.Recipient != "101" || del.Kind != DeliveryCorrection || events.DeliveryKindHasFeedback(del.Kind) {
		t.Errorf("delivery %s to %s, want %s without feedback to 101", del.Kind, del.Recipient, DeliveryCorrection)
	}
	if res.Period != short || res.Hours != 130 || res.Version != 2 || res.CaseID != id {
		t.Errorf("correction's result %+v, want %v, 130 hours, version 2 of %s", res, short, id)
	}
	if g := grantOf(t, f, id); len(g.Periods) != 1 || g.Periods[0] != short {
		t.Errorf("grant's periods %v, want only the corrected %v", g.Periods, short)
	}
	// The period is now the corrected one: the old one is no request any more.
	rejectedWith(t, followUp(t, f, events.SubsidyCorrectionSubmitted, id, events.SubsidyCorrection{AbsenceID: id, CVR: r.CVR,
		Explanation: "x", Period: r.Period, Hours: ptrF(1)}), "not_requested")
	// The days freed can be requested under the same agreement, once.
	rest := r
	rest.Period = span(to.AddDate(0, 0, -2), to)
	rest.HoursWorked, rest.WagesPaid = 18, 2880
	next := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SubsidyWageRequested, next, rest))
	if g := grantOf(t, f, id); len(g.Periods) != 2 {
		t.Errorf("grant's periods after a request for the freed days: %v, want 2", g.Periods)
	}
	rejectedWith(t, followUp(t, f, events.SubsidyCorrectionSubmitted, id, events.SubsidyCorrection{AbsenceID: id, CVR: r.CVR,
		Explanation: "x", Period: short, CorrectedPeriod: &r.Period}), "already_requested")
}

// A follow-up names a grant of its own sender: another employer's grant is
// answered as one that does not exist, and nothing changes.
func TestSubsidyFollowUpOfAnotherSendersGrantIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, r := newGrant(t, f)
	other := blankettest.Persona(t, synth.PersonaSeasonalEmployer).CVR.String()
	rejectedWith(t, followUp(t, f, events.SubsidyCorrectionSubmitted, id, events.SubsidyCorrection{AbsenceID: id, CVR: other,
		Explanation: "x", Period: r.Period, Hours: ptrF(1)}), "case.unknown")
	rejectedWith(t, followUp(t, f, events.SubsidyCancellationSubmitted, id, events.FollowUpCancellation{AbsenceID: id, CVR: other,
		Explanation: "x"}), "case.unknown")
	if g := grantOf(t, f, id); g.Version != 1 || g.Status == StatusCancelled {
		t.Errorf("another sender's follow-ups changed the grant: %+v", g)
	}
}

// A cancelled grant (the requests withdrawn; LAB kapitel 12: nothing is to
// be paid for them) goes to the municipality as a cancellation, takes no
// more follow-ups, and a new request under the same agreement opens a new
// grant.
func TestLABChapter12_CancelledGrantTakesNoFollowUps(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, r := newGrant(t, f)
	out := followUp(t, f, events.SubsidyCancellationSubmitted, id, events.FollowUpCancellation{AbsenceID: id, CVR: r.CVR, Explanation: "Sendt ved en fejl"})
	del, res := delivered(t, out)
	if del.Kind != DeliveryCancellation || del.Recipient != "101" || res.Status != StatusCancelled {
		t.Errorf("cancellation delivered as %s to %s with status %s, want %s to 101, cancelled", del.Kind, del.Recipient, res.Status, DeliveryCancellation)
	}
	if n := len(runtimetest.OfType(out, events.BlanketDecided)); n != 0 {
		t.Errorf("%d feedback events for a subsidy follow-up, want none (§ 1 stk. 3)", n)
	}
	rejectedWith(t, followUp(t, f, events.SubsidyCorrectionSubmitted, id, events.SubsidyCorrection{AbsenceID: id, CVR: r.CVR,
		Explanation: "x", Period: r.Period, Hours: ptrF(1)}), "case.cancelled")
	rejectedWith(t, followUp(t, f, events.SubsidyCancellationSubmitted, id, events.FollowUpCancellation{AbsenceID: id, CVR: r.CVR,
		Explanation: "x"}), "case.cancelled")
	again := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SubsidyWageRequested, again, r))
	if n := len(runtimetest.OfType(f.Outbox(t, again), events.DeliveryRequested)); n != 1 {
		t.Errorf("a new request under the agreement after the cancellation: %d deliveries in a new case, want 1", n)
	}
}

func ptrF(v float64) *float64 { return &v }
