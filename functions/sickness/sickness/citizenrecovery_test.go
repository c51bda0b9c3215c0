package sickness

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/sickness/absence"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// citizenFixture is the function as it runs: the pipeline, the rates from
// its table and the consumer of the sick person's recovery.
func citizenFixture(t *testing.T) *ratesFixture {
	t.Helper()
	f := newRatesFixture(t)
	f.h.SetupCitizenRecovery(f.Svc, f.h.pipe)
	return f
}

// lateReport is an employer's report of an absence from 4 March 2024
// received on 9 April 2024 (after the deadline: refusion from 9 April).
func lateReport(t *testing.T, f *ratesFixture) (id string, r events.SicknessEmployerReport) {
	t.Helper()
	id = uuid.Must(uuid.NewV7()).String()
	r = employerReport(t, time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC))
	ev := blankettest.Submission(t, events.SicknessEmployerReported, id, r)
	ev.SetTime(time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC))
	f.accepted(t, ev)
	return id, r
}

// citizenEvent is the citizen function's fact about absence id at at.
func citizenEvent(t *testing.T, typ, id string, at time.Time, data any) cloudevents.Event {
	t.Helper()
	ev, err := events.New(typ, "citizen", id, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.SetTime(at)
	return ev
}

func citizenRecovery(t *testing.T, id, last string, at time.Time) cloudevents.Event {
	return citizenEvent(t, events.CitizenRecoveryReported, id, at, events.CitizenRecovery{AbsenceID: id, AnswerID: uuid.NewString(),
		PersonKind: "employee", Municipality: "101", FirstAbsenceDay: "2024-03-04", LastAbsenceDay: last, ReportedAt: at,
		Signer: events.CitizenSigner{Role: "citizen", Signed: true}})
}

func senderRecovery(t *testing.T, f *ratesFixture, id, cvr, last string, at time.Time) {
	t.Helper()
	ev := blankettest.Submission(t, events.SicknessRecoveryReported, id, events.SicknessRecoveryReport{AbsenceID: id, CVR: cvr, LastAbsenceDay: last})
	ev.SetTime(at)
	f.accepted(t, ev)
}

// lastDecision is the employer's last feedback on the absence.
func lastDecision(t *testing.T, emitted []runtimetest.Emitted) (n int, d events.BlanketDecision, raw []byte) {
	t.Helper()
	ds := runtimetest.OfType(emitted, events.BlanketDecided)
	if len(ds) == 0 {
		t.Fatal("no feedback to the employer")
	}
	raw = ds[len(ds)-1].Data
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return len(ds), d, raw
}

func notices(t *testing.T, emitted []runtimetest.Emitted) []events.DfdgNotice {
	t.Helper()
	var out []events.DfdgNotice
	for _, e := range runtimetest.OfType(emitted, events.DfdgNoticeRequested) {
		var n events.DfdgNotice
		if err := json.Unmarshal(e.Data, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func deliveredKinds(t *testing.T, emitted []runtimetest.Emitted) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range runtimetest.OfType(emitted, events.DeliveryRequested) {
		var d events.DeliveryRequest
		_ = json.Unmarshal(e.Data, &d)
		out[d.Kind]++
	}
	return out
}

func absenceReminderCancellations(t *testing.T, emitted []runtimetest.Emitted, id string) int {
	t.Helper()
	n := 0
	for _, e := range runtimetest.OfType(emitted, events.ReminderCancelled) {
		var c events.ReminderCancellation
		_ = json.Unmarshal(e.Data, &c)
		if c.Subject != nil && c.Subject.Type == events.SubjectAbsence && c.Subject.ID == id {
			n++
		}
	}
	return n
}

// Sygedagpengeloven § 7 (raskmelding), seeds/003 "Meld dig rask": the sick
// person reports themself fit in Mit Sygefravær. The absence ends for
// everyone: the employer's feedback says recovered with the person's last
// day (and, § 30 stk. 1, no refusion as it ended before refusion could
// start), the absence's reminders are cancelled, the data foundation gets a
// recovery notice (seeds/004 § 133 stk. 3). The same fact twice changes
// nothing. A sender's recovery afterwards with a later day: the earlier day
// stands, no second notice or cancellation; the municipality still gets the
// sender's report.
func TestScenario_SDL7_CitizenRecoveryEndsTheAbsence_ThenASendersLaterRecoveryChangesNothing(t *testing.T) {
	t.Parallel()
	f := citizenFixture(t)
	id, r := lateReport(t, f)
	before := f.Outbox(t, id)
	cancelledBefore := absenceReminderCancellations(t, before, id)

	ev := citizenRecovery(t, id, "2024-04-05", time.Date(2024, 4, 12, 9, 0, 0, 0, time.UTC))
	f.Deliver(t, ev)
	after := f.Outbox(t, id)
	n, d, raw := lastDecision(t, after)
	var res events.SicknessResult
	_ = json.Unmarshal(mustJSON(t, d.Result), &res)
	if n != 2 || d.Status != "recovered" || res.LastAbsenceDay != "2024-04-05" || !bytes.Contains(raw, []byte("citizen-recovery")) ||
		!bytes.Contains(raw, []byte("sdl-30-1-ended")) || d.Receipt == "" {
		t.Fatalf("the employer's feedback: %d decisions, last %s; want recovered on 5 April 2024 by the sick person, with the report's receipt", n, raw)
	}
	if ns := notices(t, after); len(ns) != 2 || ns[1].Kind != "recovery" || ns[1].LastAbsenceDay != "2024-04-05" || ns[1].RegisteredOn != "2024-04-12" {
		t.Errorf("data-foundation notices %+v, want the sick notice and a recovery on 5 April registered 12 April", ns)
	}
	if got := absenceReminderCancellations(t, after, id); got != cancelledBefore+1 {
		t.Errorf("%d cancellations of the absence's reminders, want %d", got, cancelledBefore+1)
	}
	xs := runtimetest.OfType(after, events.RefusionExpected)
	var x events.RefusionExpectation
	_ = json.Unmarshal(xs[len(xs)-1].Data, &x)
	if len(xs) != 2 || len(x.Periods) != 0 {
		t.Errorf("expected refusion %d times, last %+v; want it cut to nothing (§ 30 stk. 1)", len(xs), x.Periods)
	}
	if k := deliveredKinds(t, after); k["sickness.recovery"] != 0 || k[absence.DeliveryCitizenRecovery] != 1 {
		t.Errorf("deliveries %v: the municipality gets the absence as changed once (the person's answer comes from the citizen function)", k)
	}
	for _, e := range after[len(before):] {
		if err := events.ValidateJSON(e.Type, e.Data); err != nil {
			t.Errorf("%s does not fit its schema: %v", e.Type, err)
		}
	}

	// The same fact again (a redelivery with a new id): nothing.
	again := citizenRecovery(t, id, "2024-04-05", time.Date(2024, 4, 12, 9, 0, 0, 0, time.UTC))
	f.Deliver(t, again)
	if got := len(f.Outbox(t, id)); got != len(after) {
		t.Fatalf("the same recovery twice: %d events, want %d", got, len(after))
	}

	// The employer reports recovery later, with a later day.
	senderRecovery(t, f, id, r.CVR, "2024-04-10", time.Date(2024, 4, 15, 10, 0, 0, 0, time.UTC))
	last := f.Outbox(t, id)
	n, d, raw = lastDecision(t, last)
	_ = json.Unmarshal(mustJSON(t, d.Result), &res)
	if n != 3 || d.Status != "recovered" || res.LastAbsenceDay != "2024-04-05" || !bytes.Contains(raw, []byte("recovery-already-reported")) {
		t.Errorf("the sender's later recovery: %d decisions, last %s; want the sick person's 5 April to stand", n, raw)
	}
	if ns := notices(t, last); len(ns) != 2 {
		t.Errorf("%d data-foundation notices, want no second recovery notice", len(ns))
	}
	if got := absenceReminderCancellations(t, last, id); got != cancelledBefore+1 {
		t.Errorf("%d cancellations, want no second one", got)
	}
	if k := deliveredKinds(t, last); k["sickness.recovery"] != 1 {
		t.Errorf("deliveries %v: the sender's recovery report reaches the municipality once", k)
	}
}

// The other order (sygedagpengeloven § 7): the employer reported recovery
// on 10 April; the sick person's report of 12 April changes nothing, their
// report of 5 April (earlier) moves the end, with a new recovery notice for
// the data foundation (seeds/004 § 133 stk. 3) and the employer's feedback.
func TestScenario_SDL7_SendersRecoveryThenTheCitizens_EarliestLastDayWins(t *testing.T) {
	t.Parallel()
	f := citizenFixture(t)
	id, r := lateReport(t, f)
	senderRecovery(t, f, id, r.CVR, "2024-04-10", time.Date(2024, 4, 11, 10, 0, 0, 0, time.UTC))
	recovered := f.Outbox(t, id)
	if ns := notices(t, recovered); len(ns) != 2 || ns[1].LastAbsenceDay != "2024-04-10" {
		t.Fatalf("after the sender's recovery: notices %+v", ns)
	}

	f.Deliver(t, citizenRecovery(t, id, "2024-04-12", time.Date(2024, 4, 12, 9, 0, 0, 0, time.UTC)))
	if got := len(f.Outbox(t, id)); got != len(recovered) {
		t.Fatalf("a later day from the sick person: %d events, want none more than %d", got, len(recovered))
	}

	f.Deliver(t, citizenRecovery(t, id, "2024-04-05", time.Date(2024, 4, 12, 9, 30, 0, 0, time.UTC)))
	after := f.Outbox(t, id)
	n, d, raw := lastDecision(t, after)
	var res events.SicknessResult
	_ = json.Unmarshal(mustJSON(t, d.Result), &res)
	if n != 3 || res.LastAbsenceDay != "2024-04-05" || !bytes.Contains(raw, []byte("citizen-recovery")) {
		t.Errorf("an earlier day from the sick person: %d decisions, last %s; want 5 April", n, raw)
	}
	if ns := notices(t, after); len(ns) != 3 || ns[2].Kind != "recovery" || ns[2].LastAbsenceDay != "2024-04-05" {
		t.Errorf("notices %+v, want a recovery notice on 5 April", ns)
	}
}

// DOMAIN.md "Partial absence" (sygedagpengeloven § 53): under 4 hours'
// absence a week counts as recovered. The employee normally works 37 hours;
// a week with 30 hours worked (7 hours absent) changes nothing; a week from
// 22 April with 34½ hours worked (2½ hours absent) ends the absence on the
// day before, 21 April.
func TestScenario_SDL53_PartialResumptionUnder4HoursIsARecovery(t *testing.T) {
	t.Parallel()
	f := citizenFixture(t)
	id, _ := lateReport(t, f)
	partial := func(weeks ...events.ResumedWeek) cloudevents.Event {
		at := time.Date(2024, 4, 26, 9, 0, 0, 0, time.UTC)
		return citizenEvent(t, events.CitizenPartialResumptionReported, id, at, events.CitizenPartialResumption{AbsenceID: id, AnswerID: uuid.NewString(),
			PersonKind: "employee", Municipality: "101", Weeks: weeks, ReportedAt: at, Signer: events.CitizenSigner{Role: "citizen", Signed: true}})
	}
	before := f.Outbox(t, id)
	f.Deliver(t, partial(events.ResumedWeek{WeekStart: "2024-04-15", Hours: 30}))
	if got := len(f.Outbox(t, id)); got != len(before) {
		t.Fatalf("7 hours' absence a week: %d events, want none more than %d", got, len(before))
	}
	f.Deliver(t, partial(events.ResumedWeek{WeekStart: "2024-04-15", Hours: 30}, events.ResumedWeek{WeekStart: "2024-04-22", Hours: 34, Minutes: 30}))
	after := f.Outbox(t, id)
	_, d, raw := lastDecision(t, after)
	var res events.SicknessResult
	_ = json.Unmarshal(mustJSON(t, d.Result), &res)
	if d.Status != "recovered" || res.LastAbsenceDay != "2024-04-21" || !bytes.Contains(raw, []byte("sdl-partial-min-4-hours")) {
		t.Errorf("2½ hours' absence from 22 April: %s; want recovered, last day 21 April", raw)
	}
	if ns := notices(t, after); len(ns) != 2 || ns[1].LastAbsenceDay != "2024-04-21" {
		t.Errorf("notices %+v, want a recovery notice on 21 April", ns)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
