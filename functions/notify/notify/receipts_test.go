package notify_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/pdftest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// pdfText is the text of a PDF (poppler's pdftotext), with runs of white
// space made one space.
func pdfText(t *testing.T, pdf []byte) string { return pdftest.Text(t, pdf) }

// rejectedReceipt is the receipt letter the pipeline requests for a
// rejected recovery report of the demo employer (infra/blanket's rejected:
// outcome "rejected"), with the reasons notify reads when they are sent.
func rejectedReceipt(ref string) events.LetterRequest {
	return events.LetterRequest{Kind: events.LetterSenderReceipt, Recipient: events.Party{CVR: ids.MustCVR("30000005")},
		Sender: events.Authority{CVR: ids.MustCVR("10000009"), Name: "NemRefusion"}, Reference: ref,
		Data: map[string]string{"blanket": events.SicknessRecoveryReported, "submittedAt": "2024-03-04T09:15:00Z", "outcome": "rejected",
			"reasonsDa": "Raskmeldingen ligger før første fraværsdag.", "reasonsEn": "The recovery is before the first day of absence."}}
}

// Executive order § 1 stk. 3: a sender can follow its reports, so its
// receipt letter is kept and downloadable again, by that sender only. The
// receipt of a rejected report says so and why, names the form by its
// title and the company by its name, and says the authority's CVR is
// unknown rather than printing the pipeline's placeholder.
func TestRejectedReceiptIsDownloadableByItsSenderOnly(t *testing.T) {
	f := start(t)
	ref := "NR-2024-" + strings.ReplaceAll(newEvent(t, events.LetterRequested, nil).ID()[:8], "-", "")
	ev := newEvent(t, events.LetterRequested, rejectedReceipt(ref))
	if code, body := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, body)
	}
	if sent := f.waitFor(t, events.LetterSent, ev, 1); len(sent) != 1 {
		t.Fatalf("%d letter.sent", len(sent))
	}
	path := "/api/v1/receipts/" + ref
	own := f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaEmployer), nil)
	if own.Status != http.StatusOK || own.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("owner: %d %s %.200s", own.Status, own.Header.Get("Content-Type"), own.Body)
	}
	text := pdfText(t, own.Body)
	for _, want := range []string{"Kvittering: Din indberetning blev afvist", "Raskmelding", "Raskmeldingen ligger før første fraværsdag.",
		"Demo Byg & Anlæg A/S", "CVR-nr.: ukendt", "Reference: " + ref, "ikke sendt videre"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt PDF lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"dk.nemrefusion", "10000009", "30000005 har", "Vi har modtaget din indberetning"} {
		if strings.Contains(text, not) {
			t.Errorf("receipt PDF has %q:\n%s", not, text)
		}
	}
	// A payroll system acting for the same company gets it too.
	if r := f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaPayrollSystem), nil); r.Status != http.StatusOK {
		t.Errorf("payroll system of the same CVR: %d", r.Status)
	}

	// A foreign CVR, a person and a missing receipt: the same 404, each
	// refusal recorded.
	missing := f.Call(t, http.MethodGet, "/api/v1/receipts/NR-2024-99999999", f.PersonaToken(t, devissuer.PersonaEmployer), nil)
	for name, r := range map[string]runtimetest.Reply{
		"foreign cvr":     f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaEmployerSeasonal), nil),
		"another company": f.Call(t, http.MethodGet, path, f.Token(t, auth.Claims{Subject: "x", Role: auth.RoleEmployer, CVR: "12345674", Rights: []string{auth.RightNemRefusion}, LoA: auth.LoASubstantial}), nil),
		"citizen":         f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaCitizen), nil),
		"caseworker":      f.Call(t, http.MethodGet, path, f.PersonaToken(t, devissuer.PersonaCaseworker), nil),
	} {
		if r.Status != http.StatusNotFound || string(r.Body) != string(missing.Body) {
			t.Errorf("%s: %d %s; want the 404 of a missing receipt (%d %s)", name, r.Status, r.Body, missing.Status, missing.Body)
		}
	}
	if missing.Status != http.StatusNotFound {
		t.Fatalf("missing receipt: %d", missing.Status)
	}
	if r := f.Call(t, http.MethodGet, path, "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("no login: %d", r.Status)
	}
	var denied int
	for _, rec := range f.Ledger(t, auth.StreamAccessDenied) {
		var why map[string]string
		_ = json.Unmarshal(rec.Reason, &why)
		if strings.HasPrefix(why["resource"], "receipts/") {
			denied++
		}
	}
	if denied < 5 {
		t.Errorf("%d receipt refusals in the ledger, want at least 5", denied)
	}
}

// A notification letter names the reporting company, not its CVR number,
// and the form by its title.
func TestNotificationNamesTheCompanyAndTheForm(t *testing.T) {
	f := start(t)
	cpr := persona(synth.PersonaEmployee)
	req := events.LetterRequest{Kind: events.LetterNotification, Recipient: events.Party{CPR: cpr}, Sender: kommune, Reference: "abs-1",
		Data: map[string]string{"blanket": events.SicknessEmployerReported, "reportedBy": "30000005", "firstAbsenceDay": "2024-02-26"}}
	text := sentLetterText(t, f, req)
	for _, want := range []string{"Demo Byg & Anlæg A/S har sendt oplysninger om dig", "Sygefravær og anmodning om refusion"} {
		if !strings.Contains(text, want) {
			t.Errorf("notification lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "30000005 har") || strings.Contains(text, "dk.nemrefusion") {
		t.Errorf("notification prints a CVR or event type:\n%s", text)
	}
}
