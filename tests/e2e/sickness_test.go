package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// The local stack registers a provisional maximum rate for the current year
// (the official one is not configured): NOT the law, and every result
// using it says so. Set before TestMain starts the functions.
func init() {
	if os.Getenv("SICKNESS_PROVISIONAL_RATES") == "" {
		os.Setenv("SICKNESS_PROVISIONAL_RATES", fmt.Sprintf("%d=4845", time.Now().Year()))
	}
}

type sent struct {
	Type string
	Data json.RawMessage
}

// sicknessOutbox reads what the sickness function emitted for an absence
// (its own outbox table: observable state, no test-only wiring).
func sicknessOutbox(t *testing.T, absence string) []sent {
	t.Helper()
	rows, err := db(t).Query(context.Background(), `SELECT event_type, event->'data' FROM sickness.outbox WHERE partition_key = $1 ORDER BY seq`, absence)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sent
	for rows.Next() {
		var s sent
		if err := rows.Scan(&s.Type, &s.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func count(out []sent, typ string) int {
	n := 0
	for _, s := range out {
		if s.Type == typ {
			n++
		}
	}
	return n
}

// waitFor polls the absence's outbox until n events of typ are there.
func waitFor(t *testing.T, absence, typ string, n int) []sent {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := sicknessOutbox(t, absence)
		if count(out, typ) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func employerBlanket(t testing.TB, id, partition string, data any) string {
	t.Helper()
	ev := map[string]any{"specversion": "1.0", "type": events.SicknessEmployerReported, "source": "/e2e/payroll", "id": id,
		"datacontenttype": "application/json", "data": data}
	if partition != "" {
		ev["partitionkey"] = partition
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

func employeeReport(t testing.TB, first time.Time) events.SicknessEmployerReport {
	t.Helper()
	p, _ := synth.PersonaByKey(synth.PersonaEmployee)
	return events.SicknessEmployerReport{CPR: p.CPR.String(), CVR: p.CVR.String(), PNumber: p.PNumber.String(),
		FirstAbsenceDay: first.Format(time.DateOnly), WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 215.5,
		EmployedSince: "2018-02-01", Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Lone Løn"}}
}

// An employer's report posted at the public origin becomes, exactly once
// even when posted twice: a delivery to the employee's municipality, a
// receipt to the employer and a notification letter to the employee, the
// employee's tasks, the reminders, the sick notice and the feedback; a
// recovery on the same absence follows it.
func TestSicknessReportBecomesDeliveryLettersTasksAndReminders(t *testing.T) {
	tok := token(t, devissuer.PersonaEmployer)
	body := employerBlanket(t, uuid.NewString(), "", employeeReport(t, time.Now().AddDate(0, 0, -12)))
	code, first := postEventAs(t, tok, body)
	if code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, first)
	}
	code, again := postEventAs(t, tok, body)
	if code != http.StatusAccepted || again["receipt"] != first["receipt"] {
		t.Fatalf("a repeated post must return the same receipt: %v then %v", first, again)
	}
	absence, _ := first["stream"].(string)
	if _, err := uuid.Parse(absence); err != nil {
		t.Fatalf("the receipt's stream %q is not the absence UUID", absence)
	}
	out := waitFor(t, absence, events.BlanketDecided, 1)
	time.Sleep(500 * time.Millisecond) // a duplicate would have arrived by now
	out = sicknessOutbox(t, absence)
	for typ, n := range map[string]int{events.DeliveryRequested: 1, events.LetterRequested: 2, events.CitizenTasksRequested: 1,
		events.DfdgNoticeRequested: 1, events.BlanketDecided: 1} {
		if got := count(out, typ); got != n {
			t.Errorf("%d × %s, want %d", got, typ, n)
		}
	}
	if count(out, events.ReminderScheduled) < 2 {
		t.Errorf("want the citizen's deadline and the employer's next-period reminder: %d", count(out, events.ReminderScheduled))
	}
	for _, s := range out {
		switch s.Type {
		case events.DeliveryRequested:
			var d events.DeliveryRequest
			_ = json.Unmarshal(s.Data, &d)
			if d.Recipient != "101" || d.Kind != "sickness.report" {
				t.Errorf("delivery to %s of %s, want the report to København (101)", d.Recipient, d.Kind)
			}
		case events.CitizenTasksRequested:
			var tr events.CitizenTasksRequest
			_ = json.Unmarshal(s.Data, &tr)
			if !slices.Equal(tr.Tasks, []string{"comment", "information-form"}) {
				t.Errorf("tasks %v: wages paid and no last day give comment and information form", tr.Tasks)
			}
		case events.BlanketDecided:
			var d events.BlanketDecision
			_ = json.Unmarshal(s.Data, &d)
			if d.Receipt != first["receipt"] || len(d.Reasons) < 5 {
				t.Errorf("feedback %+v", d)
			}
			if res, ok := d.Result.(events.SicknessResult); !ok || res.Refusion == nil || !res.Refusion.Provisional {
				t.Errorf("a result computed with the provisional rate does not say so: %+v", d.Result)
			}
		}
	}

	// Recovery on the same absence, posted in the absence's stream.
	rec := map[string]any{"specversion": "1.0", "type": events.SicknessRecoveryReported, "source": "/e2e/payroll", "id": uuid.NewString(),
		"partitionkey": absence, "datacontenttype": "application/json",
		"data": events.SicknessRecoveryReport{AbsenceID: absence, CVR: employeeReport(t, time.Now()).CVR, LastAbsenceDay: time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}}
	b, _ := json.Marshal(rec)
	if code, out := postEventAs(t, tok, string(b)); code != http.StatusAccepted {
		t.Fatalf("recovery: %d %v", code, out)
	}
	out = waitFor(t, absence, events.DeliveryRequested, 2)
	if count(out, events.DeliveryRequested) != 2 || count(out, events.DfdgNoticeRequested) != 2 || count(out, events.ReminderCancelled) != 2 {
		t.Errorf("after the recovery: %d deliveries, %d notices, %d cancellations", count(out, events.DeliveryRequested),
			count(out, events.DfdgNoticeRequested), count(out, events.ReminderCancelled))
	}
	var entries int
	if err := db(t).QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND reason::text LIKE '%sdl-30-1%'`, absence).Scan(&entries); err != nil || entries == 0 {
		t.Errorf("no decision with its reasons in the absence's ledger stream (%v)", err)
	}
}

// The same blanket event delivered twice by the broker has one effect.
func TestSicknessBlanketDeliveredTwiceByTheBrokerHasOneEffect(t *testing.T) {
	absence := uuid.NewString()
	p, _ := synth.PersonaByKey(synth.PersonaEnglish)
	r := employeeReport(t, time.Now().AddDate(0, 0, -3))
	r.CPR, r.PNumber = p.CPR.String(), p.PNumber.String()
	ev, err := events.New(events.SicknessEmployerReported, "intake", absence, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Stamped as intake's accept step stamps what it forwards (the blanket
	// functions refuse an event without the stamps).
	for k, v := range map[string]string{events.ExtReceipt: "NR-E2E-" + absence[:8], events.ExtActor: "e2e-employer",
		events.ExtActorRole: "employer", events.ExtTenant: "cvr:" + r.CVR} {
		ev.SetExtension(k, v)
	}
	toBroker(t, ev)
	toBroker(t, ev)
	waitFor(t, absence, events.DeliveryRequested, 1)
	time.Sleep(time.Second)
	if n := count(sicknessOutbox(t, absence), events.DeliveryRequested); n != 1 {
		t.Fatalf("%d deliveries, want exactly 1", n)
	}
}

// Domain errors reach the sender at intake time, every field at once.
func TestSicknessDomainErrorsAreA400AtIntake(t *testing.T) {
	tok := token(t, devissuer.PersonaEmployer)
	r := employeeReport(t, time.Now().AddDate(0, 0, -3))
	r.LastAbsenceDay = time.Now().AddDate(0, 0, -5).Format(time.DateOnly)
	r.EmployedSince = time.Now().Format(time.DateOnly)
	r.CPR = "3102901234"
	code, out := postEventAs(t, tok, employerBlanket(t, uuid.NewString(), "", r))
	if code != http.StatusBadRequest {
		t.Fatalf("want 400, got %d %v", code, out)
	}
	var fields []string
	for _, e := range out["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	for _, f := range []string{"cpr", "lastAbsenceDay", "employedSince"} {
		if !slices.Contains(fields, f) {
			t.Errorf("no error for %s in %v", f, fields)
		}
	}
	// Another employer's CVR is not the sender's to report for.
	r = employeeReport(t, time.Now().AddDate(0, 0, -3))
	r.CVR = "31000009"
	if code, out := postEventAs(t, tok, employerBlanket(t, uuid.NewString(), "", r)); code != http.StatusForbidden {
		t.Errorf("report for another CVR: %d %v", code, out)
	}
}

// The preview needs the sender's login and answers as specified.
func TestRefusionPreviewThroughThePublicOrigin(t *testing.T) {
	body := `{"firstAbsenceDay":"2024-03-04","employedSince":"2020-01-01","wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,"receivedOn":"2024-03-20"}`
	if r := do(t, "", "POST", "/api/v1/refusion/preview", body); r.status != http.StatusUnauthorized {
		t.Fatalf("without login: %d", r.status)
	}
	r := do(t, token(t, devissuer.PersonaEmployer), "POST", "/api/v1/refusion/preview", body)
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	m := r.json()
	if m["refusionFrom"] != "2024-04-03" || m["reportDeadline"] != "2024-04-08" || m["weeklyAmount"] != 4694.93 {
		t.Errorf("preview %v", m)
	}
	r = do(t, token(t, devissuer.PersonaEmployer), "POST", "/api/v1/refusion/preview",
		`{"firstAbsenceDay":"2025-03-03","employedSince":"2020-01-01","wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,"receivedOn":"2025-03-20"}`)
	if r.status != http.StatusUnprocessableEntity || r.json()["year"] != 2025.0 {
		t.Errorf("2025 has no rate: %d %s", r.status, r.body)
	}
}
