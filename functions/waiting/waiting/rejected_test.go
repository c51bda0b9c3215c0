package waiting_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/waiting/waiting"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// rejection is a sickness report the sickness function refused after
// intake's receipt: an unknown CPR and a recovery before the first day.
func rejection() events.BlanketRejection {
	return events.BlanketRejection{
		CaseID: "0190a3b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", Blanket: events.SicknessEmployerReported,
		Sender: "cvr:" + employerCVR, Receipt: "NR-2024-7K3M9Q2X",
		Errors: events.FieldErrors{
			{Field: "cpr", Code: "unknown-cpr", Da: "Personen findes ikke i CPR.", En: "The person is not in the CPR register."},
			{Field: "lastAbsenceDay", Code: "before-first-day", Da: "Sidste fraværsdag ligger før første fraværsdag.", En: "The last day of absence is before the first."},
		},
	}
}

func inboxMessages(t *testing.T, f *fixture, cvr string) []map[string]any {
	t.Helper()
	code, out := f.call(t, "GET", "/api/v1/inbox", cvr, nil)
	if code != http.StatusOK {
		t.Fatalf("inbox of %s: %d %v", cvr, code, out)
	}
	var ms []map[string]any
	for _, m := range out["messages"].([]any) {
		ms = append(ms, m.(map[string]any))
	}
	return ms
}

func alertsRecorded(t *testing.T, f *fixture) (emails, sms int) {
	t.Helper()
	if err := f.waitSvc.DB.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE channel = 'email' AND address = 'loen@example.dk'),
		count(*) FILTER (WHERE channel = 'sms' AND address = '+4512345678') FROM message_outbox`).Scan(&emails, &sms); err != nil {
		t.Fatal(err)
	}
	return emails, sms
}

// seeds/000 § 1 stk. 3: the sender follows its cases. A submission the
// rules refuse after intake's green receipt becomes one message in the
// sender's inbox ("Beskeder"), naming the form, the receipt number and
// every reason in Danish and English, with an alert on the channel the
// sender chose; no other company sees it, and the same rejection again
// (a redelivery, or the same fact as a new event) changes nothing.
func TestRejectedSubmissionBecomesOneMessageAndOneAlert(t *testing.T) {
	t.Parallel()
	f := start(t)
	// The sender chose e-mail only.
	if code, _ := f.call(t, "PUT", "/api/v1/inbox/settings", employerCVR, waiting.Settings{Email: "loen@example.dk"}); code != 200 {
		t.Fatalf("settings: %d", code)
	}
	ev := mustEvent(t, events.BlanketRejected, rejection().CaseID, rejection())
	deliver(t, f.waitSvc, ev)

	ms := inboxMessages(t, f, employerCVR)
	if len(ms) != 1 {
		t.Fatalf("%d messages, want 1: %v", len(ms), ms)
	}
	m := ms[0]
	if m["kind"] != waiting.KindRejected || m["receipt"] != "NR-2024-7K3M9Q2X" || m["blanket"] != events.SicknessEmployerReported ||
		m["subject"] != rejection().CaseID || m["link"] != "/absences/"+rejection().CaseID {
		t.Fatalf("message: %v", m)
	}
	if m["titleDa"] != "Afvist: Sygefravær og anmodning om refusion" || m["titleEn"] != "Rejected: Sickness absence and request for reimbursement" {
		t.Fatalf("titles: %q %q", m["titleDa"], m["titleEn"])
	}
	for _, want := range []string{"NR-2024-7K3M9Q2X", "Personen findes ikke i CPR.", "felt: cpr", "Sidste fraværsdag ligger før første fraværsdag.", "felt: lastAbsenceDay"} {
		if !strings.Contains(m["bodyDa"].(string), want) {
			t.Fatalf("bodyDa lacks %q: %s", want, m["bodyDa"])
		}
	}
	for _, want := range []string{"NR-2024-7K3M9Q2X", "The person is not in the CPR register.", "field: cpr", "The last day of absence is before the first.", "field: lastAbsenceDay"} {
		if !strings.Contains(m["bodyEn"].(string), want) {
			t.Fatalf("bodyEn lacks %q: %s", want, m["bodyEn"])
		}
	}
	raw, _ := json.Marshal(m["reasons"])
	var reasons events.FieldErrors
	if err := json.Unmarshal(raw, &reasons); err != nil || len(reasons) != 2 || reasons[0] != rejection().Errors[0] || reasons[1] != rejection().Errors[1] {
		t.Fatalf("reasons: %v %s", err, raw)
	}
	if emails, sms := alertsRecorded(t, f); emails != 1 || sms != 0 {
		t.Fatalf("%d e-mails, %d SMS; want the one e-mail the sender chose", emails, sms)
	}

	// Another company's inbox stays empty.
	if other := inboxMessages(t, f, "12345674"); len(other) != 0 {
		t.Fatalf("another company sees the rejection: %v", other)
	}

	// The same event again, and the same rejection as a new event.
	deliver(t, f.waitSvc, ev)
	deliver(t, f.waitSvc, mustEvent(t, events.BlanketRejected, rejection().CaseID, rejection()))
	if ms := inboxMessages(t, f, employerCVR); len(ms) != 1 {
		t.Fatalf("%d messages after redelivery, want 1", len(ms))
	}
	if emails, sms := alertsRecorded(t, f); emails != 1 || sms != 0 {
		t.Fatalf("after redelivery %d e-mails, %d SMS; want 1 and 0", emails, sms)
	}

	// A sender that chose SMS gets it, short and in Danish.
	if code, _ := f.call(t, "PUT", "/api/v1/inbox/settings", employerCVR, waiting.Settings{Phone: "+4512345678"}); code != 200 {
		t.Fatalf("settings: %d", code)
	}
	second := rejection()
	second.Receipt, second.Blanket = "NR-2024-4T6W8Y1Z", events.SubsidyMentorRequested
	deliver(t, f.waitSvc, mustEvent(t, events.BlanketRejected, second.CaseID, second))
	var text string
	if err := f.waitSvc.DB.QueryRow(context.Background(), `SELECT body FROM message_outbox WHERE channel = 'sms'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if text != "NemRefusion: Tilskud til mentorfunktion er afvist med kvitteringsnummer NR-2024-4T6W8Y1Z. Se Beskeder." {
		t.Fatalf("SMS: %q", text)
	}
	if emails, sms := alertsRecorded(t, f); emails != 1 || sms != 1 {
		t.Fatalf("%d e-mails, %d SMS; want 1 and 1", emails, sms)
	}
}

// A rejection must name a company as its sender: anything else is refused
// as invalid (400, never retried) and puts nothing in any inbox.
func TestRejectionWithoutACompanySenderIsInvalid(t *testing.T) {
	t.Parallel()
	f := start(t)
	for _, sender := range []string{"cpr:0101901234", "cvr:123", "30000005"} {
		d := rejection()
		d.Sender = sender
		ev := mustEvent(t, events.BlanketRejected, d.CaseID, d)
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
			t.Fatal(err)
		}
		runtimetest.SignDelivery(t, req, f.waitSvc.Name)
		rec := httptest.NewRecorder()
		f.waitSvc.Mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":"bad-sender"`) {
			t.Fatalf("sender %q: %d %s; want 400 bad-sender", sender, rec.Code, rec.Body)
		}
	}
	var n int
	if err := f.waitSvc.DB.QueryRow(context.Background(), `SELECT count(*) FROM sender_inbox`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d messages (%v)", n, err)
	}
}

// Every registered blanket has a readable name for the message (never its
// event type): the registry's title, the one the letters use too.
func TestEveryBlanketHasTheTitleTheSenderKnows(t *testing.T) {
	fallback := waiting.BlanketTitle("dk.nemrefusion.no.such.v1")
	for _, b := range events.Blankets() {
		title := waiting.BlanketTitle(b.Type)
		if title == fallback || title.Da != b.TitleDa || title.En != b.TitleEn || strings.Contains(title.Da, "nemrefusion") {
			t.Errorf("%s: title %+v; the registry says %q / %q", b.Type, title, b.TitleDa, b.TitleEn)
		}
	}
}
