package notify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
)

// withNemSMS is CPR with the English-speaking persona signed up for NemSMS.
type withNemSMS struct{ registers.PersonRegister }

func (w withNemSMS) Person(ctx context.Context, c ids.CPR) (registers.Person, error) {
	p, err := w.PersonRegister.Person(ctx, c)
	if err == nil && c == persona(synth.PersonaEnglish) {
		p.NemSMS = "+4520654321"
	}
	return p, err
}

// Seeds/003 (Mit Sygefravær in Danish and English): an SMS goes in the
// person's language from CPR: the English text to people whose language is
// English, the Danish text to everyone else and when no English text is
// given.
func TestSMSInThePersonsLanguage(t *testing.T) {
	f := startWith(t, withNemSMS{dataset(t)})
	da, en := "Du har opgaver i Mit Sygefravær med frist 12. marts 2024.", "You have tasks in Mit Sygefravær due 12 March 2024."
	send := func(cpr ids.CPR, textEn string) {
		t.Helper()
		req := events.SMSRequest{Recipient: events.Party{CPR: cpr}, Sender: kommune, Text: da, TextEn: textEn, Reference: "absence-42"}
		if code, body := f.Post(t, newEvent(t, events.SMSRequested, req)); code != http.StatusAccepted {
			t.Fatalf("%d %s", code, body)
		}
	}
	english, danish := persona(synth.PersonaEnglish), persona(synth.PersonaNemSMS)
	send(english, en)
	send(danish, en)
	if got := f.sms.Received(english.String()); len(got) != 1 || got[0].Text != en {
		t.Fatalf("English-speaking person received %+v, want the English text", got)
	}
	if got := f.sms.Received(danish.String()); len(got) != 1 || got[0].Text != da {
		t.Fatalf("Danish-speaking person received %+v, want the Danish text", got)
	}
	send(english, "")
	if got := f.sms.Received(english.String()); len(got) != 2 || got[1].Text != da {
		t.Fatalf("without an English text the English-speaking person received %+v, want the Danish text", got)
	}
	// The contract refuses an English text over 160 characters too.
	req := events.SMSRequest{Recipient: events.Party{CPR: english}, Sender: kommune, Text: da, TextEn: strings.Repeat("e", 161), Reference: "absence-42"}
	if code, _ := f.Post(t, newEvent(t, events.SMSRequested, req)); code != http.StatusBadRequest {
		t.Fatalf("161-character English text: %d, want 400", code)
	}
}

// Seeds/003: the notification letter after a report names the tasks, the
// deadline and the link to Mit Sygefravær notify is configured with; the
// letter is sent by Digital Post with its PDF in the MeMo message.
func TestNotificationLetterLinksToMitSygefravaer(t *testing.T) {
	f := start(t)
	cpr := persona(synth.PersonaEmployee)
	req := events.LetterRequest{Kind: events.LetterNotification, Recipient: events.Party{CPR: cpr}, Sender: kommune, Reference: "absence-43",
		Data: map[string]string{"blanket": events.SicknessEmployerReported, "reportedBy": "30000005", "firstAbsenceDay": "2024-02-26",
			"tasks": "comment sygedagpenge-application", "deadline": "2024-03-12"}}
	if code, body := f.Post(t, newEvent(t, events.LetterRequested, req)); code != http.StatusAccepted {
		t.Fatalf("%d %s", code, body)
	}
	got := f.dp.Received(cpr.String())
	if len(got) != 1 {
		t.Fatalf("received %+v", got)
	}
	m, _ := f.dp.Message(got[0].MessageUUID)
	pdf, err := m.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"– Kontrollere og eventuelt kommentere", "– Søge om sygedagpenge", "Fristen er 12. marts 2024", portalURL} {
		if !strings.Contains(text, want) {
			t.Errorf("notification letter lacks %q:\n%s", want, text)
		}
	}
}
