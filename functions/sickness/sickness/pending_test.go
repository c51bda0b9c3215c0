package sickness

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// A recovery that arrives before the report opening its absence (the
// accept step took both, and named the report as the stream's opener on
// the recovery; the broker orders per Trigger, not across types) is
// retried (503), not rejected; once the report is decided the same
// recovery is decided. A recovery naming an absence nobody reported is
// still rejected at once. Found by the fault tests (tests/faults): after a
// kill of the sickness function, recoveries were rejected as
// absence.unknown.
func TestRecoveryBeforeItsReportIsRetriedNotRejected(t *testing.T) {
	f := newFixture(t)
	absenceID := uuid.Must(uuid.NewV7()).String()
	r := employerReport(t, time.Now().AddDate(0, 0, -6))
	report := blankettest.Submission(t, events.SicknessEmployerReported, absenceID, r)
	recovery := blankettest.Submission(t, events.SicknessRecoveryReported, absenceID, events.SicknessRecoveryReport{
		AbsenceID: absenceID, CVR: r.CVR, LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))})
	recovery.SetExtension(events.ExtOpener, report.ID()) // what the accept step stamps
	if code, _ := f.Post(t, recovery); code != http.StatusServiceUnavailable {
		t.Fatalf("recovery before its report: %d, want 503 (retry)", code)
	}
	if n := len(runtimetest.OfType(f.Outbox(t, absenceID), events.BlanketRejected)); n != 0 {
		t.Fatalf("the early recovery was rejected (%d)", n)
	}
	f.Deliver(t, report)
	f.Deliver(t, recovery) // the broker's retry
	out := f.Outbox(t, absenceID)
	if len(runtimetest.OfType(out, events.BlanketDecided)) != 2 || len(runtimetest.OfType(out, events.BlanketRejected)) != 0 {
		t.Fatalf("after the report: %d decided, %d rejected; want the report and the recovery decided",
			len(runtimetest.OfType(out, events.BlanketDecided)), len(runtimetest.OfType(out, events.BlanketRejected)))
	}

	// Nobody reported this one: rejected at once.
	unknown := uuid.Must(uuid.NewV7()).String()
	stray := blankettest.Submission(t, events.SicknessRecoveryReported, unknown, events.SicknessRecoveryReport{
		AbsenceID: unknown, CVR: r.CVR, LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))})
	if code, _ := f.Post(t, stray); code/100 != 2 || len(runtimetest.OfType(f.Outbox(t, unknown), events.BlanketRejected)) != 1 {
		t.Fatalf("a recovery of an unknown absence: %d, want 2xx and a rejection", code)
	}
}
