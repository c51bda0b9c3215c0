package notify_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// answerReceipt is the receipt letter functions/citizen requests when a
// person's answer is sent to the municipality: to the person, referenced by
// the answer id.
func answerReceipt(to ids.CPR, answer string) events.LetterRequest {
	return events.LetterRequest{Kind: events.LetterAnswerReceipt, Recipient: events.Party{CPR: to}, Sender: kommune, Reference: answer,
		Data: map[string]string{"task": "information-form", "submittedAt": "2024-03-04T09:15:00Z"}}
}

// sendAnswerReceipt has notify write the answer receipt and waits until it
// is sent; it gives the answer id.
func sendAnswerReceipt(t *testing.T, f *fixture, to ids.CPR) string {
	t.Helper()
	answer := uuid.Must(uuid.NewV7()).String()
	ev := newEvent(t, events.LetterRequested, answerReceipt(to, answer))
	if code, body := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, body)
	}
	if sent := f.waitFor(t, events.LetterSent, ev, 1); len(sent) != 1 {
		t.Fatalf("%d letter.sent", len(sent))
	}
	return answer
}

// Seeds/003 ("Når opgaven er udført, vil der … ligge en kopi af
// indsendelsen (kvittering)"): the receipt of a person's answer is
// downloadable again as PDF, by that person only, and by a proxy for the
// receipts of the person they hold a power of attorney for (their read is
// in the ledger). Everybody else, and an unknown receipt, gets the same
// 404, each refusal in the ledger (GDPR art. 32: access to personal data
// is limited and logged).
func TestCitizenAnswerReceiptIsDownloadableByThePersonOnly(t *testing.T) {
	f := start(t)
	own := sendAnswerReceipt(t, f, persona(synth.PersonaEmployee))
	path := "/api/v1/receipts/" + own
	r := f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaCitizen), nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the person: %d %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "kvittering-"+own+".pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	text := pdfText(t, r.Body)
	for _, want := range []string{"Kvittering for dit svar", "Vi har modtaget dit svar", "Københavns Kommune", "Reference: " + own} {
		if !strings.Contains(text, want) {
			t.Errorf("answer receipt PDF lacks %q:\n%s", want, text)
		}
	}

	// The proxy persona acts for the represented person: it gets that
	// person's receipt, and its read is recorded.
	theirs := sendAnswerReceipt(t, f, persona(synth.PersonaRepresented))
	proxy := f.PersonaToken(t, devissuer.PersonaProxy)
	if r := f.Call(t, http.MethodGet, "/api/v1/receipts/"+theirs, proxy, nil); r.Status != http.StatusOK || !strings.Contains(pdfText(t, r.Body), "Reference: "+theirs) {
		t.Errorf("proxy for the represented person: %d %.200s", r.Status, r.Body)
	}
	if reads := f.Ledger(t, auth.ReadStream("receipts/"+theirs)); len(reads) != 1 || reads[0].Role != string(auth.RoleProxy) {
		t.Errorf("proxy's read in the ledger: %+v", reads)
	}
	if reads := f.Ledger(t, auth.ReadStream("receipts/"+own)); len(reads) != 0 {
		t.Errorf("the person's own read is in the ledger as someone else's: %+v", reads)
	}

	before := receiptDenials(t, f)
	missing := f.Call(t, http.MethodGet, "/api/v1/receipts/"+uuid.Must(uuid.NewV7()).String(), f.PersonaToken(t, devissuer.PersonaCitizen), nil)
	if missing.Status != http.StatusNotFound {
		t.Fatalf("unknown receipt: %d %s", missing.Status, missing.Body)
	}
	refused := map[string]runtimetest.Reply{
		"another citizen": f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaCitizenOther), nil),
		// The proxy persona is the person too, but its login acts for
		// someone else.
		"proxy for someone else": f.Call(t, http.MethodGet, path, proxy, nil),
		"sender":                 f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaEmployer), nil),
		"self-employed":          f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaSelfEmployed), nil),
		"caseworker":             f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaCaseworker), nil),
	}
	for name, r := range refused {
		if r.Status != http.StatusNotFound || string(r.Body) != string(missing.Body) {
			t.Errorf("%s: %d %s; want the 404 of a missing receipt (%d %s)", name, r.Status, r.Body, missing.Status, missing.Body)
		}
	}
	if got := receiptDenials(t, f) - before; got != len(refused)+1 {
		t.Errorf("%d receipt refusals in the ledger, want %d", got, len(refused)+1)
	}
	// A sender's receipt number is no person's answer receipt.
	ref := "NR-2024-" + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String()[24:], "-", "")
	ev := newEvent(t, events.LetterRequested, rejectedReceipt(ref))
	if code, body := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, body)
	}
	f.waitFor(t, events.LetterSent, ev, 1)
	if r := f.Call(t, http.MethodGet, "/api/v1/receipts/"+ref, f.PersonaToken(t, devissuer.PersonaCitizen), nil); r.Status != http.StatusNotFound {
		t.Errorf("citizen asking for a sender receipt: %d", r.Status)
	}
}

// receiptDenials counts the refusals of receipts in the ledger.
func receiptDenials(t *testing.T, f *fixture) int {
	t.Helper()
	n := 0
	for _, rec := range f.Ledger(t, auth.StreamAccessDenied) {
		var why map[string]string
		_ = json.Unmarshal(rec.Reason, &why)
		if strings.HasPrefix(why["resource"], "receipts/") {
			n++
		}
	}
	return n
}
