package sickness

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// Executive order on NemRefusion § 1 stk. 3 (issue 19): the feedback loop
// is for employers and the self-employed, never for an a-kasse. A
// recovery, a correction and a cancellation may be sent by any sender and
// have feedback for the employer; sent by the a-kasse about its member's
// absence, the pipeline emitted blanket.decided — feedback to the a-kasse.
// Now the a-kasse gets its receipt and the municipality the item, and no
// blanket.decided; the employer's recovery still gets it.
func TestAKasseFollowUpsGiveNoFeedback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	member := blankettest.Persona(t, synth.PersonaUnemployedMember)
	for _, c := range []struct {
		name string
		typ  string
		days int // the first absence day, days ago (one absence per case)
		data func(absence string) any
	}{
		{"recovery", events.SicknessRecoveryReported, 20, func(id string) any {
			return events.SicknessRecoveryReport{AbsenceID: id, CVR: member.CVR.String(), LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))}
		}},
		{"correction", events.SicknessCorrectionSubmitted, 30, func(id string) any {
			return events.SicknessCorrection{AbsenceID: id, CVR: member.CVR.String(), Explanation: "Forkert dag", FirstAbsenceDay: day(time.Now().AddDate(0, 0, -31))}
		}},
		{"cancellation", events.SicknessCancellationSubmitted, 40, func(id string) any {
			return events.SicknessCancellation{AbsenceID: id, CVR: member.CVR.String(), Explanation: "Fejlindberetning"}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := uuid.Must(uuid.NewV7()).String()
			f.Deliver(t, blankettest.Submission(t, events.SicknessAKasseReported, id, events.SicknessAKasseReport{CPR: member.CPR.String(), CVR: member.CVR.String(),
				FirstAbsenceDay: day(time.Now().AddDate(0, 0, -c.days)), ToldOn: day(time.Now().AddDate(0, 0, 1-c.days)), FullyUnemployed: true, WeeklyHours: 37,
				Contact: events.Contact{Name: "A"}}))
			ev := blankettest.Submission(t, c.typ, id, c.data(id))
			ev.SetExtension(events.ExtActorRole, events.SenderAKasse)
			ev.SetExtension(events.ExtActor, "test-akasse")
			f.Deliver(t, ev)
			out := f.Outbox(t, id)
			if n := len(runtimetest.OfType(out, events.BlanketRejected)); n != 0 {
				t.Fatalf("the a-kasse's %s was rejected: %v", c.name, out)
			}
			if n := len(runtimetest.OfType(out, events.DeliveryRequested)); n != 2 {
				t.Errorf("%d deliveries, want the report and the %s", n, c.name)
			}
			if n := len(runtimetest.OfType(out, events.BlanketDecided)); n != 0 {
				t.Errorf("%d × %s for the a-kasse, want none (§ 1 stk. 3)", n, events.BlanketDecided)
			}
			receipts := 0
			for _, e := range runtimetest.OfType(out, events.LetterRequested) {
				var l events.LetterRequest
				_ = json.Unmarshal(e.Data, &l)
				if l.Kind == events.LetterSenderReceipt && l.Recipient.CVR.String() == member.CVR.String() {
					receipts++
				}
			}
			if receipts != 2 {
				t.Errorf("%d receipts to the a-kasse, want 2 (the report's and the %s's)", receipts, c.name)
			}
		})
	}

	// The employer's recovery keeps its feedback.
	id := uuid.Must(uuid.NewV7()).String()
	r := employerReport(t, time.Now().AddDate(0, 0, -3))
	f.Deliver(t, blankettest.Submission(t, events.SicknessEmployerReported, id, r))
	f.Deliver(t, blankettest.Submission(t, events.SicknessRecoveryReported, id, events.SicknessRecoveryReport{AbsenceID: id, CVR: r.CVR,
		LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))}))
	if n := len(runtimetest.OfType(f.Outbox(t, id), events.BlanketDecided)); n != 2 {
		t.Errorf("employer: %d × %s, want 2 (report and recovery)", n, events.BlanketDecided)
	}
}
