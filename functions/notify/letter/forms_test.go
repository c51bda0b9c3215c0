package letter_test

import (
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/notify/letter"
)

// Every registry blanket has a title in both languages, and no letter
// prints an event type: a sender knows the form by its title.
func TestEveryBlanketHasATitleInBothLanguages(t *testing.T) {
	t.Parallel()
	for _, b := range events.Blankets() {
		for _, da := range []bool{true, false} {
			got := letter.FormTitle(b.Type, da)
			if got == "" || got == b.Type || strings.Contains(got, "dk.nemrefusion") {
				t.Errorf("%s (da=%v): title %q", b.Type, da, got)
			}
		}
		for _, lang := range []string{"da", "en"} {
			l, err := letter.Compose(letter.Input{Kind: events.LetterSenderReceipt, Language: lang, Sender: "Udbetaling Danmark",
				Date: date, Reference: "NR-2024-00000042", Data: map[string]string{"blanket": b.Type, "submittedAt": "2024-03-04T09:15:00Z", "outcome": "decided"}})
			if err != nil {
				t.Fatal(err)
			}
			if text := strings.Join(append([]string{l.Title}, l.Paragraphs...), "\n"); strings.Contains(text, "dk.nemrefusion") {
				t.Errorf("%s/%s receipt prints the event type:\n%s", b.Type, lang, text)
			}
		}
	}
}

func receipt(t *testing.T, typ, lang string, extra map[string]string) string {
	t.Helper()
	d := map[string]string{"blanket": typ, "submittedAt": "2024-03-04T09:15:00Z", "company": "Demo A/S", "companyCvr": "12345674"}
	for k, v := range extra {
		d[k] = v
	}
	l, err := letter.Compose(letter.Input{Kind: events.LetterSenderReceipt, Language: lang, Sender: "København Kommune",
		Date: date, Reference: "NR-2024-00000042", Data: d})
	if err != nil {
		t.Fatal(err)
	}
	return l.Title + "\n" + strings.Join(l.Paragraphs, "\n")
}

// A rejected submission's receipt says it was rejected, and why when the
// request carries the reasons; it never says the report was passed on
// (issue 18: the green "received" for reports refused 12 ms later).
func TestRejectedReceiptSaysRejectedAndWhy(t *testing.T) {
	t.Parallel()
	reasons := map[string]string{"outcome": "rejected", "reasonsDa": "Personen findes ikke i CPR.\nRaskmeldingen ligger før første fraværsdag.",
		"reasonsEn": "The person is not in CPR.\nThe recovery is before the first day of absence."}
	da := receipt(t, events.SicknessRecoveryReported, "da", reasons)
	for _, want := range []string{"blev afvist", "Raskmelding", "Personen findes ikke i CPR.", "Raskmeldingen ligger før første fraværsdag.", "Demo A/S (CVR-nr. 12345674)", "ikke sendt videre"} {
		if !strings.Contains(da, want) {
			t.Errorf("Danish rejected receipt lacks %q:\n%s", want, da)
		}
	}
	en := receipt(t, events.SicknessRecoveryReported, "en", reasons)
	for _, want := range []string{"was rejected", "Report of recovery", "The person is not in CPR."} {
		if !strings.Contains(en, want) {
			t.Errorf("English rejected receipt lacks %q:\n%s", want, en)
		}
	}
	for _, text := range []string{da, en} {
		if strings.Contains(text, "Vi har modtaget din indberetning") || strings.Contains(text, "sendt til den sygemeldtes kommune") || strings.Contains(text, "has been sent to") {
			t.Errorf("rejected receipt reads as accepted:\n%s", text)
		}
	}
	// Without reasons it points to where they are.
	if got := receipt(t, events.SicknessEmployerReported, "da", map[string]string{"outcome": "rejected"}); !strings.Contains(got, "under Beskeder") {
		t.Errorf("rejected receipt without reasons:\n%s", got)
	}
}

// The wording fits the form and the role: a recovery is registered on the
// case, not "sent to the sick person's municipality"; a self-employed
// person's report is their own claim for sickness benefit, not a request
// for refusion (for the next period or otherwise).
func TestReceiptWordingPerFormAndRole(t *testing.T) {
	t.Parallel()
	rec := receipt(t, events.SicknessRecoveryReported, "da", nil)
	if !strings.Contains(rec, "Raskmeldingen er registreret på sygefraværssagen hos København Kommune") || strings.Contains(rec, "sygemeldtes kommune") {
		t.Errorf("recovery receipt:\n%s", rec)
	}
	self := receipt(t, events.SicknessSelfEmployedReported, "da", nil)
	if !strings.Contains(self, "din ret til sygedagpenge") || strings.Contains(strings.ToLower(strings.ReplaceAll(self, "NemRefusion", "")), "refusion") {
		t.Errorf("self-employed receipt:\n%s", self)
	}
	emp := receipt(t, events.SicknessEmployerReported, "da", nil)
	if !strings.Contains(emp, "Sygefravær og anmodning om refusion") || !strings.Contains(emp, "sygemeldtes kommune, København Kommune") || !strings.Contains(emp, "Demo A/S") {
		t.Errorf("employer receipt:\n%s", emp)
	}
	if sub := receipt(t, events.SubsidyFlexjobRequested, "en", nil); !strings.Contains(sub, "Flexi-job subsidy") || !strings.Contains(sub, "jobcentre") {
		t.Errorf("subsidy receipt:\n%s", sub)
	}
}

// The authority table names Udbetaling Danmark and every municipality as
// the pipeline does, each with a source; no CVR number is in the sources,
// so none is in the table, and a letter says the number is unknown.
func TestAuthorityTableHasSourcesAndNoGuessedCVR(t *testing.T) {
	t.Parallel()
	tab := letter.Authorities()
	if len(tab) != 2+len(ids.AllMunicipalities()) {
		t.Fatalf("%d authorities", len(tab))
	}
	for _, code := range append([]string{"UDK"}, "101", "751") {
		r, _ := ids.ParseRecipient(code)
		a, ok := letter.AuthorityNamed(r.Name())
		if !ok || a.Code != code || a.Source == "" {
			t.Errorf("%s: %+v %v", code, a, ok)
		}
	}
	for name, a := range tab {
		if a.Source == "" || a.CVR != "" {
			t.Errorf("%s: %+v (a CVR needs a source in the seeds)", name, a)
		}
	}
	l, _ := letter.Compose(letter.Input{Kind: events.LetterSenderReceipt, Language: "da", Sender: "Udbetaling Danmark", Date: time.Now(),
		Reference: "x", Data: map[string]string{"blanket": events.ParentalEmployerReported, "submittedAt": "2024-03-04T09:15:00Z"}})
	if got := l.SenderCVRLine(); got != "CVR-nr.: ukendt" {
		t.Errorf("unknown CVR line %q", got)
	}
}

// A parental leave notification (barselsloven § 40 stk. 6) is about leave
// at Udbetaling Danmark, not a sickness absence in Mit Sygefravær.
func TestParentalNotificationIsNotAboutMitSygefravaer(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"da", "en"} {
		l, err := letter.Compose(letter.Input{Kind: events.LetterNotification, Language: lang, Sender: "Udbetaling Danmark", Date: date,
			Reference: "abs-1", Data: map[string]string{"blanket": events.ParentalEmployerReported, "reportedBy": "Demo A/S", "firstAbsenceDay": "2024-02-26"}})
		if err != nil {
			t.Fatal(err)
		}
		text := l.Title + "\n" + strings.Join(l.Paragraphs, "\n")
		if strings.Contains(text, "Mit Sygefravær") || !strings.Contains(text, letter.FormTitle(events.ParentalEmployerReported, lang == "da")) || !strings.Contains(text, "Udbetaling Danmark") {
			t.Errorf("%s parental notification:\n%s", lang, text)
		}
	}
}
