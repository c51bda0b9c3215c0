package sickness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime"
)

// These tests run the handler through the real runtime against Postgres
// with the synthetic registers (synth implements the register interfaces
// in memory); the emitted events are read from the function's own outbox.

var (
	dsOnce sync.Once
	ds     *synth.Dataset
	dsErr  error
)

func dataset(t *testing.T) *synth.Dataset {
	t.Helper()
	dsOnce.Do(func() {
		ds, dsErr = synth.Generate(synth.Config{Seed: 7, Persons: synth.MinPersons, Companies: synth.MinCompanies,
			Reference: registers.MonthOf(time.Now())})
	})
	if dsErr != nil {
		t.Fatal(dsErr)
	}
	return ds
}

func persona(t *testing.T, key string) synth.Persona {
	t.Helper()
	p, ok := synth.PersonaByKey(key)
	if !ok {
		t.Fatalf("no persona %s", key)
	}
	return p
}

type fixture struct {
	svc *runtime.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	t.Cleanup(sink.Close)
	base := config.Base{DatabaseURL: os.Getenv("DATABASE_URL"), Sink: sink.URL, LogLevel: "error"}
	if base.DatabaseURL == "" {
		base.DatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	name := fmt.Sprintf("sickness_t%d", time.Now().UnixNano()%1e12)
	ctx := context.Background()
	svc, err := runtime.New(ctx, runtime.Options{Name: name, Base: base})
	if err != nil {
		t.Skipf("no database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = svc.DB.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
		svc.DB.Close()
	})
	rates, err := LoadRates(fmt.Sprintf("%d=4845", time.Now().Year()))
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Rates: rates}
	pipe, err := blanket.New(dataset(t), h.Definitions()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := pipe.Register(ctx, svc); err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc}
}

// deliver posts ev to the function as the broker does and wants 2xx.
func (f *fixture) deliver(t *testing.T, ev cloudevents.Event) {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	rec := httptest.NewRecorder()
	f.svc.Mux.ServeHTTP(rec, req)
	if rec.Code/100 != 2 {
		t.Fatalf("delivery of %s: %d %s", ev.Type(), rec.Code, rec.Body)
	}
}

// submission is an event as intake forwards it: a fresh id, a partition
// key (the absence id for a new report) and a receipt.
func submission(t *testing.T, typ, partition string, data any) cloudevents.Event {
	t.Helper()
	ev, err := events.New(typ, "intake", partition, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.SetExtension(events.ExtReceipt, "NR-TEST-"+ev.ID()[:8])
	return ev
}

type emitted struct {
	Type string
	Data json.RawMessage
}

func (f *fixture) outbox(t *testing.T, partition string) []emitted {
	t.Helper()
	rows, err := f.svc.DB.Query(context.Background(), `SELECT event_type, event->'data' FROM outbox WHERE partition_key = $1 ORDER BY seq`, partition)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []emitted
	for rows.Next() {
		var e emitted
		if err := rows.Scan(&e.Type, &e.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func ofType(es []emitted, typ string) []emitted {
	var out []emitted
	for _, e := range es {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func employerReport(t *testing.T, first time.Time) events.SicknessEmployerReport {
	p := persona(t, synth.PersonaEmployee)
	return events.SicknessEmployerReport{CPR: p.CPR.String(), CVR: p.CVR.String(), PNumber: p.PNumber.String(),
		FirstAbsenceDay: day(first), WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 210, EmployedSince: "2019-05-01",
		Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Lone Løn"}}
}

func TestEmployerReportBecomesDeliveryLettersTasksRemindersNoticeAndFeedback_ExactlyOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := uuid.Must(uuid.NewV7()).String()
	ev := submission(t, events.SicknessEmployerReported, id, employerReport(t, time.Now().AddDate(0, 0, -10)))
	f.deliver(t, ev)
	f.deliver(t, ev) // the broker delivers twice: no second effect

	out := f.outbox(t, id)
	want := map[string]int{events.DeliveryRequested: 1, events.LetterRequested: 2, events.CitizenTasksRequested: 1,
		events.DfdgNoticeRequested: 1, events.BlanketDecided: 1}
	for typ, n := range want {
		if got := len(ofType(out, typ)); got != n {
			t.Errorf("%d × %s, want %d", got, typ, n)
		}
	}
	var del events.DeliveryRequest
	_ = json.Unmarshal(ofType(out, events.DeliveryRequested)[0].Data, &del)
	if del.Recipient != "101" || del.Kind != "sickness.report" || del.CaseRef != id {
		t.Errorf("delivery %+v, want the report for København (101), the employee's municipality", del)
	}
	var tasks events.CitizenTasksRequest
	_ = json.Unmarshal(ofType(out, events.CitizenTasksRequested)[0].Data, &tasks)
	if !slices.Equal(tasks.Tasks, []string{"comment", "information-form"}) || tasks.Deadline != day(time.Now().AddDate(0, 0, 8)) {
		t.Errorf("tasks %v due %s", tasks.Tasks, tasks.Deadline)
	}
	kinds := map[string]bool{}
	for _, e := range ofType(out, events.LetterRequested) {
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
	for _, e := range ofType(out, events.ReminderScheduled) {
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
	if err := f.svc.DB.QueryRow(context.Background(), `SELECT reason FROM ledger.entries WHERE stream = $1 AND event_type = $2`,
		id, blanket.LedgerDecided).Scan(&reasons); err != nil {
		t.Fatalf("decision in the ledger: %v", err)
	}
	for _, rule := range []string{`"sdl-30-1"`, `"sdl-40-1"`, `"recipient.residence"`, `"sdl-32-employment-precheck"`} {
		if !bytes.Contains(reasons, []byte(rule)) {
			t.Errorf("the ledger's reasons lack %s", rule)
		}
	}

	// A follow-up on the same absence: recovery.
	rec := submission(t, events.SicknessRecoveryReported, id, events.SicknessRecoveryReport{AbsenceID: id, CVR: employerReport(t, time.Now()).CVR,
		LastAbsenceDay: day(time.Now().AddDate(0, 0, -1))})
	f.deliver(t, rec)
	out = f.outbox(t, id)
	if n := len(ofType(out, events.DeliveryRequested)); n != 2 {
		t.Errorf("%d deliveries after the recovery, want 2", n)
	}
	if n := len(ofType(out, events.ReminderCancelled)); n != 2 {
		t.Errorf("%d reminder cancellations after the recovery, want 2 (absence and tasks)", n)
	}
	var status string
	_ = f.svc.DB.QueryRow(context.Background(), `SELECT status FROM blanket_cases WHERE id = $1`, id).Scan(&status)
	if status != "recovered" {
		t.Errorf("status %q, want recovered", status)
	}

	// The same absence reported again is refused, and says which absence it is.
	again := submission(t, events.SicknessEmployerReported, uuid.Must(uuid.NewV7()).String(), employerReport(t, time.Now().AddDate(0, 0, -10)))
	f.deliver(t, again)
	rej := ofType(f.outbox(t, events.PartitionKey(again)), events.BlanketRejected)
	if len(rej) != 1 || !bytes.Contains(rej[0].Data, []byte("absence.duplicate")) {
		t.Errorf("duplicate report: %v", rej)
	}
}

func TestPUnitOfAnotherCompanyIsRejectedWithTheField(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := employerReport(t, time.Now().AddDate(0, 0, -3))
	r.PNumber = persona(t, synth.PersonaSelfEmployed).PNumber.String()
	id := uuid.Must(uuid.NewV7()).String()
	f.deliver(t, submission(t, events.SicknessEmployerReported, id, r))
	out := f.outbox(t, id)
	if len(ofType(out, events.DeliveryRequested)) != 0 {
		t.Fatal("a rejected report was delivered")
	}
	rej := ofType(out, events.BlanketRejected)
	if len(rej) != 1 || !bytes.Contains(rej[0].Data, []byte("pnumber.not_under_cvr")) {
		t.Fatalf("rejections %v", rej)
	}
}

func TestSelfEmployedAndAKasseReports(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	self := persona(t, synth.PersonaSelfEmployed)
	id := uuid.Must(uuid.NewV7()).String()
	f.deliver(t, submission(t, events.SicknessSelfEmployedReported, id, events.SicknessSelfEmployedReport{CPR: self.CPR.String(), CVR: self.CVR.String(),
		FirstAbsenceDay: day(time.Now().AddDate(0, 0, -5)), Insurance: "none", WeeklyHours: 40, Contact: events.Contact{Name: "S"}}))
	out := f.outbox(t, id)
	if len(ofType(out, events.DeliveryRequested)) != 1 || len(ofType(out, events.LetterRequested)) != 1 {
		t.Errorf("self-employed: %d deliveries, %d letters; want 1 and only the receipt", len(ofType(out, events.DeliveryRequested)), len(ofType(out, events.LetterRequested)))
	}
	var tasks events.CitizenTasksRequest
	_ = json.Unmarshal(ofType(out, events.CitizenTasksRequested)[0].Data, &tasks)
	if !slices.Equal(tasks.Tasks, []string{"information-form"}) {
		t.Errorf("self-employed tasks %v", tasks.Tasks)
	}

	member := persona(t, synth.PersonaUnemployedMember)
	id = uuid.Must(uuid.NewV7()).String()
	f.deliver(t, submission(t, events.SicknessAKasseReported, id, events.SicknessAKasseReport{CPR: member.CPR.String(), CVR: member.CVR.String(),
		FirstAbsenceDay: day(time.Now().AddDate(0, 0, -5)), ToldOn: day(time.Now().AddDate(0, 0, -4)), FullyUnemployed: true, WeeklyHours: 37,
		Contact: events.Contact{Name: "A"}}))
	out = f.outbox(t, id)
	if len(ofType(out, events.DeliveryRequested)) != 1 || len(ofType(out, events.LetterRequested)) != 2 || len(ofType(out, events.BlanketDecided)) != 0 {
		t.Errorf("a-kasse: %v", out)
	}
}
