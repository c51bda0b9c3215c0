package letter_test

import (
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/notify/letter"
	"nemrefusion.dk/infra/pdftest"
)

// Letters and receipts are tagged PDF/A-2 (issue 23): the structural
// checks of pdftest.PDFAProblems, with qpdf.
func TestRenderIsTaggedPDFA(t *testing.T) {
	t.Parallel()
	rejected := data(events.LetterSenderReceipt)
	rejected = map[string]string{"blanket": rejected["blanket"], "submittedAt": rejected["submittedAt"],
		letter.DataOutcome: "rejected", letter.DataReasonsDa: "Første fraværsdag mangler\nCPR-nummeret findes ikke"}
	cases := map[string]letter.Input{
		"notification": {Kind: events.LetterNotification, Language: "da", Data: data(events.LetterNotification)},
		"receipt":      {Kind: events.LetterSenderReceipt, Language: "en", Data: data(events.LetterSenderReceipt)},
		"rejected":     {Kind: events.LetterSenderReceipt, Language: "da", Data: rejected},
	}
	for name, in := range cases {
		in.Sender, in.Date, in.Reference = "Københavns Kommune", date, "NR-2024-00000042"
		in.Recipient = []string{"Test Testesen", "Åboulevarden 1", "8000 Aarhus C"}
		l, err := letter.Compose(in)
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := letter.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pdftest.PDFAProblems(t, pdf) {
			t.Errorf("%s: %s", name, p)
		}
		if text := pdftest.Text(t, pdf); !strings.Contains(text, "Åboulevarden 1") || !strings.Contains(text, "Københavns Kommune") {
			t.Errorf("%s: text lost æøå: %s", name, text)
		}
	}
}

// A letter long enough to break over pages keeps its marked content
// balanced per page and in the structure tree.
func TestRenderTagsAcrossPages(t *testing.T) {
	t.Parallel()
	l := compose(t, events.LetterNotification, "da")
	for range 6 {
		l.Paragraphs = append(l.Paragraphs, strings.Repeat("Et langt afsnit om fravær og refusion, der fylder. ", 12))
	}
	pdf, err := letter.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pdftest.PDFAProblems(t, pdf) {
		t.Error(p)
	}
}
