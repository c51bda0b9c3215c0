package sickness

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
)

// post delivers ev as the broker does and returns the status.
func (f *fixture) post(t *testing.T, ev cloudevents.Event) int {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	rec := httptest.NewRecorder()
	f.svc.Mux.ServeHTTP(rec, req)
	return rec.Code
}

// A recovery that arrives before the report opening its absence (intake
// accepted both; the broker orders per Trigger, not across types) is
// retried (503), not rejected; once the report is decided the same
// recovery is decided. A recovery naming an absence nobody reported is
// still rejected at once. Found by the fault tests (tests/faults): after a
// kill of the sickness function, recoveries were rejected as
// absence.unknown.
func TestRecoveryBeforeItsReportIsRetriedNotRejected(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	absenceID := uuid.Must(uuid.NewV7()).String()
	r := employerReport(t, time.Now().AddDate(0, 0, -6))
	report := submission(t, events.SicknessEmployerReported, absenceID, r)
	// What intake does in the transaction that accepts the report.
	if _, err := ledger.Append(ctx, f.svc.DB, ledger.Entry{Stream: absenceID, Actor: "e2e", Role: "employer", EventType: report.Type(),
		EventSource: report.Source(), EventID: report.ID(), Payload: report.Data()}); err != nil {
		t.Fatal(err)
	}
	recovery := submission(t, events.SicknessRecoveryReported, absenceID, events.SicknessRecoveryReport{
		AbsenceID: absenceID, CVR: r.CVR, LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))})
	if code := f.post(t, recovery); code != http.StatusServiceUnavailable {
		t.Fatalf("recovery before its report: %d, want 503 (retry)", code)
	}
	if n := len(ofType(f.outbox(t, absenceID), events.BlanketRejected)); n != 0 {
		t.Fatalf("the early recovery was rejected (%d)", n)
	}
	f.deliver(t, report)
	f.deliver(t, recovery) // the broker's retry
	out := f.outbox(t, absenceID)
	if len(ofType(out, events.BlanketDecided)) != 2 || len(ofType(out, events.BlanketRejected)) != 0 {
		t.Fatalf("after the report: %d decided, %d rejected; want the report and the recovery decided",
			len(ofType(out, events.BlanketDecided)), len(ofType(out, events.BlanketRejected)))
	}

	// Nobody reported this one: rejected at once.
	unknown := uuid.Must(uuid.NewV7()).String()
	stray := submission(t, events.SicknessRecoveryReported, unknown, events.SicknessRecoveryReport{
		AbsenceID: unknown, CVR: r.CVR, LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))})
	if code := f.post(t, stray); code/100 != 2 || len(ofType(f.outbox(t, unknown), events.BlanketRejected)) != 1 {
		t.Fatalf("a recovery of an unknown absence: %d, want 2xx and a rejection", code)
	}
}
