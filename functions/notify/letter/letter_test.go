package letter_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/notify/letter"
)

var date = time.Date(2024, 3, 4, 9, 15, 0, 0, time.UTC)

func data(kind string) map[string]string {
	return map[string]map[string]string{
		events.LetterSenderReceipt:  {"blanket": "Sygefravær og refusion", "submittedAt": "2024-03-04T09:15:00Z"},
		events.LetterNotification:   {"blanket": "Sygefravær og refusion", "reportedBy": "Demo A/S", "firstAbsenceDay": "2024-02-26"},
		events.LetterCitizenTask:    {"task": "information-form", "deadline": "2024-03-12"},
		events.LetterAnswerReceipt:  {"task": "apply", "submittedAt": "2024-03-05T14:02:00Z"},
		events.LetterReminder:       {"task": "information-form", "deadline": "2024-03-12"},
		events.LetterRejectedUpload: {"documentTitle": "Lønseddel (september)", "attemptedAt": "2024-10-02T07:30:00Z"},
	}[kind]
}

func compose(t *testing.T, kind, lang string) letter.Letter {
	t.Helper()
	l, err := letter.Compose(letter.Input{Kind: kind, Language: lang, Sender: "Københavns Kommune",
		Recipient: []string{"Test Testesen", "Åboulevarden 1", "8000 Aarhus C"}, Date: date, Reference: "NR-2024-00000042", Data: data(kind)})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestEveryKindInBothLanguages(t *testing.T) {
	t.Parallel()
	want := map[string][2]string{ // a phrase each language version must hold
		events.LetterSenderReceipt:  {"Vi har modtaget din indberetning: Sygefravær og refusion.", "We have received your report"},
		events.LetterNotification:   {"Demo A/S har sendt oplysninger om dig til Københavns Kommune", "first day of absence is 26 February 2024"},
		events.LetterCitizenTask:    {"beder dig om at udfylde oplysningsskemaet", "The deadline is 12 March 2024"},
		events.LetterAnswerReceipt:  {"modtaget 5. marts 2024 kl. 15.02", "received 5 March 2024 at 15:02"},
		events.LetterReminder:       {"Fristen er 12. marts 2024", "The deadline is 12 March 2024"},
		events.LetterRejectedUpload: {"Du har den 2. oktober 2024 kl. 09.30 forsøgt at uploade dokumentation til din sag i Mit Sygefravær.", "appears to be infected with a virus"},
	}
	for _, kind := range events.LetterKinds {
		for i, lang := range []string{"da", "en"} {
			l := compose(t, kind, lang)
			text := l.Title + "\n" + strings.Join(l.Paragraphs, "\n")
			if !strings.Contains(text, want[kind][i]) {
				t.Errorf("%s/%s lacks %q:\n%s", kind, lang, want[kind][i], text)
			}
			if !strings.Contains(l.Footer, "§ 8") && !strings.Contains(l.Footer, "section 8") {
				t.Errorf("%s/%s: footer does not say the letter is valid without signature", kind, lang)
			}
			if strings.Contains(strings.ToLower(text), "underskrift:") || strings.Contains(strings.ToLower(text), "signature:") {
				t.Errorf("%s/%s has a signature line", kind, lang)
			}
		}
	}
	if got := compose(t, events.LetterRejectedUpload, "da"); !strings.Contains(strings.Join(got.Paragraphs, " "), `Dokument der blev fjernet: "Lønseddel (september)"`) {
		t.Errorf("rejected-upload receipt does not name the document: %v", got.Paragraphs)
	}
}

func TestComposeRefusesBadData(t *testing.T) {
	t.Parallel()
	cases := []letter.Input{
		{Kind: "love-letter", Language: "da"},
		{Kind: events.LetterReminder, Language: "de", Data: data(events.LetterReminder)},
		{Kind: events.LetterReminder, Language: "da", Data: map[string]string{"task": "apply"}},
		{Kind: events.LetterCitizenTask, Language: "da", Data: map[string]string{"deadline": "2024-03-12"}},
		{Kind: events.LetterReminder, Language: "da", Data: map[string]string{"task": "apply", "deadline": "12/3/2024"}},
		{Kind: events.LetterRejectedUpload, Language: "en", Data: map[string]string{"documentTitle": "x", "attemptedAt": "yesterday"}},
	}
	for _, in := range cases {
		if _, err := letter.Compose(in); !errors.Is(err, letter.ErrData) {
			t.Errorf("Compose(%+v) = %v, want ErrData", in, err)
		}
	}
}

func TestRenderIsAPDFAndDeterministic(t *testing.T) {
	t.Parallel()
	l := compose(t, events.LetterRejectedUpload, "da")
	a, err := letter.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := letter.Render(l)
	if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.Equal(a, b) {
		t.Fatalf("not a deterministic PDF (%d bytes)", len(a))
	}
	// With poppler's pdftotext the text, æøå included, comes back out of
	// the PDF.
	text := pdfText(t, a)
	for _, want := range []string{"Københavns Kommune", "Dato: 4. marts 2024", "Reference: NR-2024-00000042", "Åboulevarden 1",
		"Du har forsøgt at indsende dokumentation", "tilsyneladende er inficeret med virus", "fysisk post",
		"sendt uden underskrift", "§ 8"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
}
