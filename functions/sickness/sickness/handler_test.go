package sickness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// These tests run the handler through the real runtime against Postgres
// with the synthetic registers (synth implements the register interfaces
// in memory); the emitted events are read from the function's own outbox.

type fixture struct{ *runtimetest.Kit }

// newFixture runs the sickness definitions on the blanket pipeline.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	rates, err := kernel.LoadRates(fmt.Sprintf("%d=4845", time.Now().Year()))
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Rates: rates}
	return &fixture{blankettest.Start(t, "sickness", h.Definitions()...)}
}

// day is t's date in Denmark, as the function dates what it receives (so
// the tests also hold between 23:00 and 01:00 UTC).
func day(t time.Time) string { return kernel.DateOf(t).String() }

func employerReport(t *testing.T, first time.Time) events.SicknessEmployerReport {
	p := blankettest.Persona(t, synth.PersonaEmployee)
	return events.SicknessEmployerReport{CPR: p.CPR.String(), CVR: p.CVR.String(), PNumber: p.PNumber.String(),
		FirstAbsenceDay: day(first), WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 210, EmployedSince: "2019-05-01",
		Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Lone Løn"}}
}

func TestEmployerReportBecomesDeliveryLettersTasksRemindersNoticeAndFeedback_ExactlyOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := uuid.Must(uuid.NewV7()).String()
	ev := blankettest.Submission(t, events.SicknessEmployerReported, id, employerReport(t, time.Now().AddDate(0, 0, -10)))
	f.Deliver(t, ev)
	f.Deliver(t, ev) // the broker delivers twice: no second effect

	out := f.Outbox(t, id)
	want := map[string]int{events.DeliveryRequested: 1, events.LetterRequested: 2, events.CitizenTasksRequested: 1,
		events.DfdgNoticeRequested: 1, events.BlanketDecided: 1}
	for typ, n := range want {
		if got := len(runtimetest.OfType(out, typ)); got != n {
			t.Errorf("%d × %s, want %d", got, typ, n)
		}
	}
	var del events.DeliveryRequest
	_ = json.Unmarshal(runtimetest.OfType(out, events.DeliveryRequested)[0].Data, &del)
	if del.Recipient != "101" || del.Kind != "sickness.report" || del.CaseRef != id {
		t.Errorf("delivery %+v, want the report for København (101), the employee's municipality", del)
	}
	var tasks events.CitizenTasksRequest
	_ = json.Unmarshal(runtimetest.OfType(out, events.CitizenTasksRequested)[0].Data, &tasks)
	if !slices.Equal(tasks.Tasks, []string{"comment", "information-form"}) || tasks.Deadline != day(time.Now().AddDate(0, 0, 8)) {
		t.Errorf("tasks %v due %s", tasks.Tasks, tasks.Deadline)
	}
	kinds := map[string]bool{}
	for _, e := range runtimetest.OfType(out, events.LetterRequested) {
		var l events.LetterRequest
		_ = json.Unmarshal(e.Data, &l)
		kinds[l.Kind] = true
		if err := events.ValidateJSON(events.LetterRequested, e.Data); err != nil {
			t.Errorf("letter %s does not fit its schema: %v", l.Kind, err)
		}
	}
	if !kinds[events.LetterSenderReceipt] || !kinds[events.LetterNotification] {
		t.Errorf("letters %v, want a receipt and a notification", kinds)
	}
	var reminderKinds []string
	for _, e := range runtimetest.OfType(out, events.ReminderScheduled) {
		var r events.ReminderSchedule
		_ = json.Unmarshal(e.Data, &r)
		reminderKinds = append(reminderKinds, r.Kind)
	}
	if !slices.Contains(reminderKinds, "citizen-tasks-deadline") || slices.Contains(reminderKinds, "citizen-tasks-sms") {
		t.Errorf("reminders %v: want the citizen's deadline, and no SMS for a person not signed up for NemSMS", reminderKinds)
	}
	for _, e := range out {
		if err := events.ValidateJSON(e.Type, e.Data); err != nil && events.Known(e.Type) {
			t.Errorf("%s does not fit its schema: %v", e.Type, err)
		}
	}

	var reasons json.RawMessage
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT reason FROM ledger.entries WHERE stream = $1 AND event_type = $2`,
		id, blanket.LedgerDecided).Scan(&reasons); err != nil {
		t.Fatalf("decision in the ledger: %v", err)
	}
	for _, rule := range []string{`"sdl-30-1"`, `"sdl-40-1"`, `"recipient.residence"`, `"sdl-32-employment-precheck"`} {
		if !bytes.Contains(reasons, []byte(rule)) {
			t.Errorf("the ledger's reasons lack %s", rule)
		}
	}

	// A follow-up on the same absence: recovery.
	rec := blankettest.Submission(t, events.SicknessRecoveryReported, id, events.SicknessRecoveryReport{AbsenceID: id, CVR: employerReport(t, time.Now()).CVR,
		LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))})
	f.Deliver(t, rec)
	out = f.Outbox(t, id)
	if n := len(runtimetest.OfType(out, events.DeliveryRequested)); n != 2 {
		t.Errorf("%d deliveries after the recovery, want 2", n)
	}
	if n := len(runtimetest.OfType(out, events.ReminderCancelled)); n != 2 {
		t.Errorf("%d reminder cancellations after the recovery, want 2 (absence and tasks)", n)
	}
	var status string
	_ = f.Svc.DB.QueryRow(context.Background(), `SELECT status FROM blanket_cases WHERE id = $1`, id).Scan(&status)
	if status != "recovered" {
		t.Errorf("status %q, want recovered", status)
	}

	// The same absence reported again is refused, and says which absence it is.
	again := blankettest.Submission(t, events.SicknessEmployerReported, uuid.Must(uuid.NewV7()).String(), employerReport(t, time.Now().AddDate(0, 0, -10)))
	f.Deliver(t, again)
	rej := runtimetest.OfType(f.Outbox(t, events.PartitionKey(again)), events.BlanketRejected)
	if len(rej) != 1 || !bytes.Contains(rej[0].Data, []byte("absence.duplicate")) {
		t.Errorf("duplicate report: %v", rej)
	}
}

func TestPUnitOfAnotherCompanyIsRejectedWithTheField(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := employerReport(t, time.Now().AddDate(0, 0, -3))
	r.PNumber = blankettest.Persona(t, synth.PersonaSelfEmployed).PNumber.String()
	id := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SicknessEmployerReported, id, r))
	out := f.Outbox(t, id)
	if len(runtimetest.OfType(out, events.DeliveryRequested)) != 0 {
		t.Fatal("a rejected report was delivered")
	}
	rej := runtimetest.OfType(out, events.BlanketRejected)
	if len(rej) != 1 || !bytes.Contains(rej[0].Data, []byte("pnumber.not_under_cvr")) {
		t.Fatalf("rejections %v", rej)
	}
}

func TestSelfEmployedAndAKasseReports(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	self := blankettest.Persona(t, synth.PersonaSelfEmployed)
	id := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SicknessSelfEmployedReported, id, events.SicknessSelfEmployedReport{CPR: self.CPR.String(), CVR: self.CVR.String(),
		FirstAbsenceDay: day(time.Now().AddDate(0, 0, -5)), Insurance: "none", WeeklyHours: 40, Contact: events.Contact{Name: "S"}}))
	out := f.Outbox(t, id)
	if len(runtimetest.OfType(out, events.DeliveryRequested)) != 1 || len(runtimetest.OfType(out, events.LetterRequested)) != 1 {
		t.Errorf("self-employed: %d deliveries, %d letters; want 1 and only the receipt", len(runtimetest.OfType(out, events.DeliveryRequested)), len(runtimetest.OfType(out, events.LetterRequested)))
	}
	var tasks events.CitizenTasksRequest
	_ = json.Unmarshal(runtimetest.OfType(out, events.CitizenTasksRequested)[0].Data, &tasks)
	if !slices.Equal(tasks.Tasks, []string{"information-form"}) {
		t.Errorf("self-employed tasks %v", tasks.Tasks)
	}

	member := blankettest.Persona(t, synth.PersonaUnemployedMember)
	id = uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SicknessAKasseReported, id, events.SicknessAKasseReport{CPR: member.CPR.String(), CVR: member.CVR.String(),
		FirstAbsenceDay: day(time.Now().AddDate(0, 0, -5)), ToldOn: day(time.Now().AddDate(0, 0, -4)), FullyUnemployed: true, WeeklyHours: 37,
		Contact: events.Contact{Name: "A"}}))
	out = f.Outbox(t, id)
	if len(runtimetest.OfType(out, events.DeliveryRequested)) != 1 || len(runtimetest.OfType(out, events.LetterRequested)) != 2 || len(runtimetest.OfType(out, events.BlanketDecided)) != 0 {
		t.Fatalf("a-kasse: %v", out)
	}
	// § 1 stk. 3: the a-kasse does not follow the case. Its report was
	// delivered as "sickness.report", a kind that opens the feedback loop,
	// so the delivery function fed the case back to the a-kasse.
	var del events.DeliveryRequest
	_ = json.Unmarshal(runtimetest.OfType(out, events.DeliveryRequested)[0].Data, &del)
	if b, _ := events.BlanketOf(events.SicknessAKasseReported); del.Kind != b.Delivery || events.DeliveryKindHasFeedback(del.Kind) {
		t.Errorf("a-kasse delivery kind %q (feedback %v); want %q without feedback", del.Kind, events.DeliveryKindHasFeedback(del.Kind), b.Delivery)
	}
}

// cvrDown is the synthetic registers with CVR unreachable: every company
// lookup fails as the register client fails when CVR does not answer.
type cvrDown struct{ *synth.Dataset }

func (cvrDown) Company(context.Context, ids.CVR) (registers.Company, error) {
	return registers.Company{}, fmt.Errorf("cvr: %w", registers.ErrUnavailable)
}

// Issue 17: the self-employed person's own-company check (CVR) turned a
// register outage into a permanent rejection; it is transient, as in
// maternity and subsidy: the function answers 503 and the broker retries.
func TestSelfEmployedReportWhileCVRIsDownIsRetriedNotRejected(t *testing.T) {
	t.Parallel()
	rates, err := kernel.LoadRates(fmt.Sprintf("%d=4845", time.Now().Year()))
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Rates: rates}
	k := runtimetest.Start(t, runtimetest.Options{Name: "sickness"})
	pipe, err := blanket.New(cvrDown{blankettest.Dataset(t)}, h.Definitions()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := pipe.Register(context.Background(), k.Svc); err != nil {
		t.Fatal(err)
	}
	self := blankettest.Persona(t, synth.PersonaSelfEmployed)
	id := uuid.Must(uuid.NewV7()).String()
	ev := blankettest.Submission(t, events.SicknessSelfEmployedReported, id, events.SicknessSelfEmployedReport{CPR: self.CPR.String(), CVR: self.CVR.String(),
		FirstAbsenceDay: day(time.Now().AddDate(0, 0, -5)), Insurance: "none", WeeklyHours: 40, Contact: events.Contact{Name: "S"}})
	code, body := k.Post(t, ev)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "register-unavailable") {
		t.Errorf("CVR down: %d %s, want 503 register-unavailable (retried by the broker)", code, body)
	}
	for _, e := range k.Outbox(t, id) {
		t.Errorf("CVR down: emitted %s, want nothing (no blanket.rejected, no delivery)", e.Type)
	}
}
