package letter_test

import (
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/notify/letter"
)

const portal = "https://mitsygefravaer.example/mit-sygefravaer"

// citizenPDF composes a letter to the sick person and returns its text as
// pdftotext reads it from the rendered PDF.
func citizenPDF(t *testing.T, kind, lang string, data map[string]string) string {
	t.Helper()
	l, err := letter.Compose(letter.Input{Kind: kind, Language: lang, Sender: "Københavns Kommune",
		Recipient: []string{"Test Testesen", "Åboulevarden 1", "8000 Aarhus C"}, Date: date, Reference: "absence-42",
		Data: data, Link: portal})
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := letter.Render(l)
	if err != nil {
		t.Fatal(err)
	}
	return pdfText(t, pdf)
}

func wantAll(t *testing.T, what, text string, phrases ...string) {
	t.Helper()
	for _, p := range phrases {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

// Seeds/003 ("Brev til den sygemeldte om opgaver i Mit Sygefravær") and
// sygedagpengeloven § 38, § 40 stk. 5: the notification letter after an
// employer's report names the person's tasks, the deadline 8 days after
// the letter as a date, and the link to Mit Sygefravær; it is a
// notification letter under the executive order § 8, stk. 1, nr. 2.
func TestSDL38_NotificationLetterNamesTasksDeadlineAndLink(t *testing.T) {
	t.Parallel()
	data := map[string]string{"blanket": events.SicknessEmployerReported, "reportedBy": "Demo A/S", "firstAbsenceDay": "2024-02-26",
		"tasks": "comment sygedagpenge-application information-form", "deadline": "2024-03-12"}
	da := citizenPDF(t, events.LetterNotification, "da", data)
	wantAll(t, "Danish notification", da, "Du har opgaver i Mit Sygefravær",
		"Demo A/S har sendt oplysninger om dig til Københavns Kommune", "første fraværsdag 26. februar 2024",
		"– Kontrollere og eventuelt kommentere oplysningerne fra din arbejdsgiver", "– Søge om sygedagpenge", "– Udfylde oplysningsskemaet",
		"Fristen er 12. marts 2024", "sygedagpengeloven § 38", portal, "underretningsbrev", "§ 8, stk. 1, nr. 2")
	en := citizenPDF(t, events.LetterNotification, "en", data)
	wantAll(t, "English notification", en, "You have tasks in Mit Sygefravær", "– Apply for sickness benefit",
		"– Fill in the information form", "The deadline is 12 March 2024", portal, "section 8(1)(ii)")

	// Paid wages and a last absence day: only the comment task is named.
	data["tasks"] = "comment"
	one := citizenPDF(t, events.LetterNotification, "da", data)
	wantAll(t, "one task", one, "Du har en opgave i Mit Sygefravær", "Du skal kontrollere og eventuelt kommentere", "Fristen er 12. marts 2024")
	for _, not := range []string{"øge om sygedagpenge", "oplysningsskemaet"} {
		if strings.Contains(one, not) {
			t.Errorf("notification with only the comment task names %q:\n%s", not, one)
		}
	}
	// A deadline that is not a date can never be written.
	data["deadline"] = "in eight days"
	if _, err := letter.Compose(letter.Input{Kind: events.LetterNotification, Language: "da", Data: data}); err == nil {
		t.Error("a notification with a malformed deadline was composed")
	}
}

// Seeds/003 (hearing, "partshøring"): the municipality's hearing gives the
// person a letter naming the task, the deadline and the link, in the
// person's language, as a purely informative letter about a deadline
// (executive order § 8, stk. 1, nr. 3).
func TestHearingLetter(t *testing.T) {
	t.Parallel()
	data := map[string]string{"task": events.CitizenTaskHearing, "deadline": "2024-03-12"}
	da := citizenPDF(t, events.LetterCitizenTask, "da", data)
	wantAll(t, "Danish hearing letter", da, "Du har en opgave i Mit Sygefravær", "Københavns Kommune beder dig om at udtale dig i en partshøring",
		"vil først høre, hvad du har at sige (partshøring)", "Fristen er 12. marts 2024", portal, "§ 8, stk. 1, nr. 3", "sendt uden underskrift")
	en := citizenPDF(t, events.LetterCitizenTask, "en", data)
	wantAll(t, "English hearing letter", en, "asks you to give your comments in a hearing", "The deadline is 12 March 2024", portal, "section 8(1)(iii)")
	other := citizenPDF(t, events.LetterCitizenTask, "da", map[string]string{"task": events.CitizenTaskSupplementaryInformation, "deadline": "2024-03-12"})
	wantAll(t, "supplementary information letter", other, "beder dig om at give supplerende oplysninger")
	if strings.Contains(other, "partshøring") {
		t.Errorf("a letter about supplementary information speaks of a hearing:\n%s", other)
	}
}

// Seeds/003 (the reminder on day 6) and sygedagpengeloven § 38: the
// reminder letter names the tasks still waiting, the deadline and the link.
func TestSDL38_ReminderLetter(t *testing.T) {
	t.Parallel()
	data := map[string]string{"tasks": "sygedagpenge-application,information-form", "deadline": "2024-03-12"}
	da := citizenPDF(t, events.LetterReminder, "da", data)
	wantAll(t, "Danish reminder", da, "Påmindelse: Du mangler at svare", "– Søge om sygedagpenge", "– Udfylde oplysningsskemaet",
		"Fristen er 12. marts 2024", portal, "kan du se bort fra dette brev", "§ 8, stk. 1, nr. 3")
	en := citizenPDF(t, events.LetterReminder, "en", data)
	wantAll(t, "English reminder", en, "Reminder: we are waiting for your answer", "– Apply for sickness benefit", "The deadline is 12 March 2024", portal)
	// The reminder function knows the deadline, not which tasks are left.
	generic := citizenPDF(t, events.LetterReminder, "da", map[string]string{"deadline": "2024-03-12"})
	wantAll(t, "reminder without tasks", generic, "Du har opgaver i Mit Sygefravær, som du endnu ikke har løst.", "Fristen er 12. marts 2024", portal)
	if _, err := letter.Compose(letter.Input{Kind: events.LetterReminder, Language: "da", Data: map[string]string{"tasks": "comment"}}); err == nil {
		t.Error("a reminder without a deadline was composed")
	}
}

// Executive order § 8: receipts (nr. 1), notification letters (nr. 2) and
// purely informative letters about deadlines (nr. 3) are sent without
// signature; each letter names which it is.
func TestExecutiveOrder8_FooterNamesTheKindOfDocument(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		events.LetterSenderReceipt: "nr. 1", events.LetterAnswerReceipt: "nr. 1", events.LetterRejectedUpload: "nr. 1",
		events.LetterNotification: "nr. 2", events.LetterCitizenTask: "nr. 3", events.LetterReminder: "nr. 3",
	}
	for _, kind := range events.LetterKinds {
		l := compose(t, kind, "da")
		if !strings.Contains(l.Footer, "§ 8, stk. 1, "+want[kind]+", og stk. 2") {
			t.Errorf("%s footer %q, want § 8, stk. 1, %s", kind, l.Footer, want[kind])
		}
	}
}
