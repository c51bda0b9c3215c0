package notify_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/registers/synth"
)

// Executive order on NemRefusion § 1 stk. 8 does not exempt the job
// clarification request (LAS § 69 t) from the notification letter: the
// pipeline asks for one, and notify writes it to the person — naming the
// company (not its CVR), the municipality and the first day, and nothing
// about a sickness absence. Read back from the PDF with pdftotext.
func TestLAS69t_JobClarificationNotificationIsWrittenToThePerson(t *testing.T) {
	f := start(t)
	req := events.LetterRequest{Kind: events.LetterNotification, Recipient: events.Party{CPR: persona(synth.PersonaEmployee)}, Sender: kommune,
		Reference: "grant-1", Data: map[string]string{"blanket": events.SubsidyJobClarificationRequested, "reportedBy": "30000005", "firstAbsenceDay": "2024-02-01"}}
	text := sentLetterText(t, f, req)
	for _, want := range []string{"Din arbejdsgiver har anmodet om refusion under dit jobafklaringsforløb",
		"Demo Byg & Anlæg A/S har sendt en anmodning til Københavns Kommune om refusion af ressourceforløbsydelse",
		"lov om aktiv socialpolitik § 69 t", "Anmodningen gælder perioden fra 1. februar 2024"} {
		if !strings.Contains(text, want) {
			t.Errorf("notification lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"30000005 har", "dk.nemrefusion", "Mit Sygefravær", "fraværsdag"} {
		if strings.Contains(text, not) {
			t.Errorf("notification says %q:\n%s", not, text)
		}
	}
}

// sentLetterText posts req, waits for its letter to be sent and returns
// the text of the letter's PDF.
func sentLetterText(t *testing.T, f *fixture, req events.LetterRequest) string {
	t.Helper()
	ev := newEvent(t, events.LetterRequested, req)
	if code, body := f.Post(t, ev); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, body)
	}
	sent := f.waitFor(t, events.LetterSent, ev, 1)
	if len(sent) != 1 {
		t.Fatalf("%d letter.sent", len(sent))
	}
	var out events.LetterSentData
	_ = sent[0].DataAs(&out)
	rc, _, err := f.store.Get(context.Background(), f.bkt, out.PDF)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	pdf, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return pdfText(t, pdf)
}
