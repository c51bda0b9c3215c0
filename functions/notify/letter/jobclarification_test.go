package letter_test

import (
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/notify/letter"
	"nemrefusion.dk/infra/pdftest"
)

// Executive order on NemRefusion § 1 stk. 8: the person is told of every
// report from an employer, and the job clarification request (LAS § 69 t)
// is not among the exempted subsidies. Its notification letter says who
// asked whom for what, and from when, in Danish and English; it is not a
// sickness letter (no Mit Sygefravær, no first day of absence). The text
// is read back out of the rendered PDF with pdftotext.
func TestLAS69t_JobClarificationNotificationLetter(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"da": {"Din arbejdsgiver har anmodet om refusion under dit jobafklaringsforløb",
			"Demo A/S har sendt en anmodning til Københavns Kommune om refusion af ressourceforløbsydelse under dit jobafklaringsforløb (lov om aktiv socialpolitik § 69 t).",
			"Anmodningen gælder perioden fra 1. februar 2024", "Du skal ikke gøre noget.", "sendt uden underskrift"},
		"en": {"Your employer has asked for reimbursement during your job clarification process",
			"Demo A/S has sent Københavns Kommune a request for reimbursement of the resource allowance during your job clarification process (Active Social Policy Act, section 69 t).",
			"The request covers the period from 1 February 2024", "You do not need to do anything.", "without a signature"},
	}
	for lang, phrases := range want {
		l, err := letter.Compose(letter.Input{Kind: events.LetterNotification, Language: lang, Sender: "Københavns Kommune",
			Recipient: []string{"Test Testesen", "Åboulevarden 1", "8000 Aarhus C"}, Date: date, Reference: "NR-2024-00000042",
			Data: map[string]string{"blanket": events.SubsidyJobClarificationRequested, "reportedBy": "Demo A/S", "firstAbsenceDay": "2024-02-01"}})
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := letter.Render(l)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, pdf)
		for _, p := range phrases {
			if !strings.Contains(text, p) {
				t.Errorf("%s letter lacks %q:\n%s", lang, p, text)
			}
		}
		for _, not := range []string{"Mit Sygefravær", "fraværsdag", "day of absence", "dk.nemrefusion"} {
			if strings.Contains(text, not) {
				t.Errorf("%s letter says %q, which is not about job clarification:\n%s", lang, not, text)
			}
		}
	}
}

// pdfText is the text of a rendered letter as poppler's pdftotext (Debian
// poppler-utils) reads it, æøå included, with whitespace collapsed.
func pdfText(t *testing.T, pdf []byte) string { return pdftest.Text(t, pdf) }
