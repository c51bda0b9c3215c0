package browser

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"nemrefusion.dk/infra/registers/synth"
)

var receiptNumberPattern = regexp.MustCompile(`^NR-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`)

// leaveWeeks returns the first days of two leave weeks in a row that lie
// in one calendar year and end before today (a period must lie within one
// calendar year, barselsloven § 40 and the blanket's rule).
func leaveWeeks() (time.Time, time.Time) {
	b := time.Now().AddDate(0, 0, -30)
	if end := b.AddDate(0, 0, 13); end.Year() != b.Year() {
		b = b.AddDate(0, 0, -20)
	}
	return b, b.AddDate(0, 0, 7)
}

// chooseBlanket opens "Hvad vil du anmelde?" from the overview, checks the
// role is offered the blankets it may send and none of those it may not
// (events/registry.go Senders), and starts the blanket with slug.
func chooseBlanket(t *testing.T, ctx context.Context, slug string, offered []string, page string, notOffered ...string) {
	t.Helper()
	run(t, ctx, "new report", chromedp.Click(`#new-report`, chromedp.ByQuery), waitPage())
	var slugs []string
	run(t, ctx, "offered blankets", chromedp.Evaluate(`[...document.querySelectorAll('#choose-form input[name=blanket]')].map(i => i.value)`, &slugs))
	for _, s := range offered {
		if !slices.Contains(slugs, s) {
			t.Errorf("the role is not offered %q: %q", s, slugs)
		}
	}
	for _, s := range notOffered {
		if slices.Contains(slugs, s) {
			t.Errorf("the role is offered %q, which it may not send: %q", s, slugs)
		}
	}
	if page != "" {
		checkPage(t, ctx, page)
	}
	run(t, ctx, "choose "+slug, chromedp.Click(`input[value="`+slug+`"] + label`, chromedp.ByQuery),
		chromedp.Click(`#choose-form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#step-form`, chromedp.ByQuery), waitPage())
}

// leavePeriod fills row i of the leave periods.
func leavePeriod(t *testing.T, ctx context.Context, i int, from, to time.Time, kindOption int, hours string, wages string) {
	t.Helper()
	p := fmt.Sprintf("f-periods-%d-", i)
	date(t, ctx, p+"from", from)
	date(t, ctx, p+"to", to)
	run(t, ctx, "kind of leave", pick(fmt.Sprintf("%skind-option%d", p, kindOption)))
	fill(t, ctx, map[string]string{"#" + p + "hoursAbsent": hours})
	if wages != "" {
		fill(t, ctx, map[string]string{"#" + p + "wagesPaid": wages})
	}
}

// sameMessages checks the error summary and the field messages say the same.
func sameMessages(t *testing.T, ctx context.Context, lang string) []string {
	t.Helper()
	summary := texts(t, ctx, "#error-summary li")
	fieldMsgs := texts(t, ctx, ".form-error-message")
	prefix := map[string]string{"da": "Fejl:", "en": "Error:"}[lang]
	for i := range fieldMsgs {
		fieldMsgs[i] = strings.TrimSpace(strings.TrimPrefix(fieldMsgs[i], prefix))
	}
	if len(summary) == 0 || !slices.Equal(summary, fieldMsgs) {
		t.Errorf("error summary %q and field messages %q must be identical", summary, fieldMsgs)
	}
	return summary
}

// caseLinkOf waits until the overview links the case of the report with
// receipt (the delivery function lists it) and returns the link.
func caseLinkOf(t *testing.T, ctx context.Context, receipt string) string {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		open(t, ctx, "/nemrefusion")
		var href string
		run(t, ctx, "case of "+receipt, chromedp.Evaluate(fmt.Sprintf(`(() => { const tr = [...document.querySelectorAll('#absences tbody tr')].find(r => r.querySelector('.js-receipt')?.textContent.includes(%q) && r.dataset.status !== 'pending');
			const a = tr && tr.querySelector('a[href^="/nemrefusion/fravaer/"]'); return a ? a.getAttribute('href') : ''; })()`, receipt), &href))
		if href != "" {
			return href
		}
		if time.Now().After(deadline) {
			shot(t, ctx, "failure-"+sanitize(t.Name()))
			t.Fatalf("the overview never linked the case of %s", receipt)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// senderSendsToReceipt sends from "Tjek dine svar" and waits for the receipt.
func senderSendsToReceipt(t *testing.T, ctx context.Context) string {
	t.Helper()
	run(t, ctx, "send", chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	r := text(t, ctx, "#receipt-number")
	if !receiptNumberPattern.MatchString(r) {
		t.Errorf("receipt number %q", r)
	}
	return r
}

// An employer (payroll) asks refusion of parental leave benefit: the
// employee and the child, the employment, two leave periods (a period
// ending before it starts is caught on the page with the server's words; a
// row is added and removed), the barsel preview (barselsloven § 39-40)
// before sending, and the receipt saying it goes to Udbetaling Danmark.
func TestParentalEmployerFromLoginToReceipt(t *testing.T) {
	ctx := browser(t, 8*time.Minute)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	w1, w2 := leaveWeeks()
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	chooseBlanket(t, ctx, "barsel-arbejdsgiver", []string{"arbejdsgiver", "barsel-arbejdsgiver", "tidlig-opfoelgning"}, "parental-01-choose-employer", "selvstaendig", "barsel-selvstaendig", "barsel-a-kasse")

	steps := texts(t, ctx, ".step-indicator .step-title")
	if len(steps) != 5 || steps[2] != "Orlovsperioder" || steps[4] != "Tjek dine svar" {
		t.Errorf("one question group per page, ending in Tjek dine svar: %q", steps)
	}
	checkPage(t, ctx, "parental-02-employee")
	fill(t, ctx, map[string]string{"#f-cpr": emp.CPR.String(), "#f-pNumber": emp.PNumber.String()})
	date(t, ctx, "f-childDate", w1)
	next(t, ctx)

	checkPage(t, ctx, "parental-03-employment")
	date(t, ctx, "f-employedSince", w1.AddDate(-4, 0, 0))
	fill(t, ctx, map[string]string{"#f-weeklyHours": "37", "#f-hourlyEarnings": "200"})
	next(t, ctx)

	// The periods: one row to begin with, nothing filled in gives every
	// row's message, named by its row.
	checkPage(t, ctx, "parental-04-periods")
	if n := len(texts(t, ctx, "fieldset.js-row")); n != 1 {
		t.Errorf("the periods start with one row, got %d", n)
	}
	run(t, ctx, "submit empty", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	summary := sameMessages(t, ctx, "da")
	if !slices.Contains(summary, "Første orlovsdag (periode 1) skal udfyldes.") {
		t.Errorf("a row's question names its row: %q", summary)
	}
	// The cross-field rule: a period ending before it starts, in the
	// server's words (events.leavePeriods: "Perioden slutter før den begynder.").
	leavePeriod(t, ctx, 0, w1.AddDate(0, 0, 6), w1, 2, "37", "7400")
	run(t, ctx, "leave does not continue", pick("f-leaveContinues-option2"))
	run(t, ctx, "submit reversed period", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	summary = sameMessages(t, ctx, "da")
	if !slices.Equal(summary, []string{"Sidste orlovsdag (periode 1): Perioden slutter før den begynder."}) {
		t.Errorf("the period's end before its start: %q", summary)
	}
	checkPage(t, ctx, "parental-05-periods-error")
	leavePeriod(t, ctx, 0, w1, w1.AddDate(0, 0, 6), 2, "37", "7400")
	// Add two rows, remove the third again: the second keeps its answers.
	run(t, ctx, "add a period", chromedp.Click(`#f-periods-add`, chromedp.ByQuery), chromedp.WaitVisible(`#f-periods-1-from-day`, chromedp.ByQuery))
	var focused string
	run(t, ctx, "focus", chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "f-periods-1-legend" {
		t.Errorf("the added row's heading takes focus, %q has it", focused)
	}
	leavePeriod(t, ctx, 1, w2, w2.AddDate(0, 0, 6), 2, "37", "7400")
	run(t, ctx, "add a third", chromedp.Click(`#f-periods-add`, chromedp.ByQuery), chromedp.WaitVisible(`#f-periods-2-from-day`, chromedp.ByQuery))
	checkPage(t, ctx, "parental-06-periods-three")
	run(t, ctx, "remove the third", chromedp.Click(`#f-periods-2-remove`, chromedp.ByQuery), chromedp.WaitNotPresent(`#f-periods-2-from-day`, chromedp.ByQuery))
	var kept string
	run(t, ctx, "second row kept", chromedp.Value(`#f-periods-1-from-day`, &kept, chromedp.ByQuery))
	if kept != fmt.Sprint(w2.Day()) {
		t.Errorf("the second row's first day after removing the third: %q", kept)
	}
	// Enter in a row's field means Next (the row buttons are no submits).
	var before string
	run(t, ctx, "location", chromedp.Location(&before))
	run(t, ctx, "enter in a field", chromedp.Focus(`#f-periods-1-hoursAbsent`, chromedp.ByQuery), press(kb.Enter))
	waitMoved(t, ctx, before)

	checkPage(t, ctx, "parental-07-contact")
	fill(t, ctx, map[string]string{"#f-contact-name": "Lone Løn", "#f-contact-email": "lone@example.dk"})
	next(t, ctx)

	if h := text(t, ctx, "main h1"); h != "Tjek dine svar" {
		t.Fatalf("after the last page: %q", h)
	}
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	if h := text(t, ctx, "#preview-box h2"); h != "Forventet refusion af barselsdagpenge" {
		t.Errorf("the barsel preview's heading: %q", h)
	}
	run(t, ctx, "preview periods", chromedp.WaitVisible(`#preview-table`, chromedp.ByQuery))
	rows := texts(t, ctx, "#preview-table tbody tr")
	if len(rows) != 2 || !strings.Contains(rows[0], "Barselsorlov efter fødslen") || !strings.Contains(rows[0], "kr.") {
		t.Errorf("the preview's periods: %q", rows)
	}
	if p := cells(t, ctx, "#preview"); !strings.Contains(p, "Refusion i alt: ") || !strings.Contains(p, "kr.") {
		t.Errorf("the preview's total: %q", p)
	}
	if c := cells(t, ctx, "main table.structured-list"); !strings.Contains(c, "Sidste orlovsdag (periode 2)") {
		t.Errorf("Tjek dine svar lists each period's answers: %q", c)
	}
	checkPage(t, ctx, "parental-08-check")
	run(t, ctx, "preview drawn again", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))

	senderSendsToReceipt(t, ctx)
	if next := text(t, ctx, "#receipt-next"); !strings.HasPrefix(next, "Når anmodningen er sendt videre, behandler Udbetaling Danmark den") {
		t.Errorf("what happens next after a parental-leave request: %q", next)
	}
	run(t, ctx, "the receipt turns delivered", chromedp.WaitVisible(`#receipt[data-state="delivered"]`, chromedp.ByQuery))
	if st := text(t, ctx, "#receipt"); !strings.Contains(st, "Vi har sendt anmodningen til Udbetaling Danmark") {
		t.Errorf("the delivered receipt: %q", st)
	}
	checkPage(t, ctx, "parental-09-receipt")
	receipt := text(t, ctx, "#receipt-number")

	// The parental-leave case offers its own follow-ups (next period,
	// correction, cancellation) and no sickness ones (no recovery, no next
	// sickness period, no early follow-up).
	href := caseLinkOf(t, ctx, receipt)
	reloadUntil(t, ctx, href, `#case-facts`, 30*time.Second)
	if f := followUpSlugs(t, ctx); !slices.Equal(f, []string{"barsel-naeste-periode", "barsel-ret", "barsel-annuller"}) {
		t.Errorf("a parental-leave case offers %q; want only the parental follow-ups", f)
	}
	if r := cells(t, ctx, "#case-facts"); !strings.Contains(r, "Udbetaling Danmark") {
		t.Errorf("the parental-leave case's recipient: %q", r)
	}
	// Udbetaling Danmark has the case, not a municipality, and no
	// sickness wording (raskmelding) is the next step.
	if m := text(t, ctx, "main"); strings.Contains(m, "kommunen") || strings.Contains(m, "Kommunen") || strings.Contains(m, "raskmelding") {
		t.Errorf("the parental-leave case speaks of the municipality or recovery: %q", m)
	}
	checkPage(t, ctx, "parental-10-case")
}

// A self-employed person applies for their own parental leave benefit, in
// English: the form takes the CPR and CVR from the login and has no
// wages and no preview (the preview is the employer's refusion).
func TestParentalSelfEmployedFromLoginToReceiptInEnglish(t *testing.T) {
	ctx := browser(t, 6*time.Minute)
	w1, _ := leaveWeeks()
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "self-employed")
	chooseBlanket(t, ctx, "barsel-selvstaendig", []string{"selvstaendig", "barsel-selvstaendig"}, "parental-11-choose-selfemployed", "arbejdsgiver", "barsel-arbejdsgiver", "barsel-a-kasse", "tidlig-opfoelgning")
	// From here in English (checkPage leaves every page in Danish).
	setLang(t, ctx, "en")
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "The child") {
		t.Errorf("first page in English: %q", h)
	}
	date(t, ctx, "f-childDate", w1)
	next(t, ctx)
	date(t, ctx, "f-businessSince", w1.AddDate(-5, 0, 0))
	fill(t, ctx, map[string]string{"#f-weeklyHours": "40"})
	next(t, ctx)
	// The period: no wages on this form; its end before its start is caught
	// with the server's English words.
	if n := len(texts(t, ctx, "#f-periods-0-wagesPaid")); n != 0 {
		t.Error("the self-employed form asks wages")
	}
	leavePeriod(t, ctx, 0, w1.AddDate(0, 0, 6), w1, 2, "40", "")
	run(t, ctx, "leave goes on", pick("f-leaveContinues-option1"))
	run(t, ctx, "submit", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if s := sameMessages(t, ctx, "en"); !slices.Equal(s, []string{"Last day of leave (period 1): The period ends before it starts."}) {
		t.Errorf("the period's end before its start, in English: %q", s)
	}
	leavePeriod(t, ctx, 0, w1, w1.AddDate(0, 0, 6), 2, "40", "")
	next(t, ctx)
	fill(t, ctx, map[string]string{"#f-contact-name": "Tina Tømrer"})
	next(t, ctx)
	if h := text(t, ctx, "main h1"); h != "Check your answers" {
		t.Fatalf("after the last page: %q", h)
	}
	if n := len(texts(t, ctx, "#preview-box h2")); n != 0 {
		t.Error("the self-employed form shows a preview")
	}
	checkPage(t, ctx, "parental-12-check-selfemployed")
	setLang(t, ctx, "en")
	senderSendsToReceipt(t, ctx)
	if next := text(t, ctx, "#receipt-next"); !strings.HasPrefix(next, "Once the application is passed on, Udbetaling Danmark handles your case") {
		t.Errorf("what happens next, in English: %q", next)
	}
	checkPage(t, ctx, "parental-13-receipt-selfemployed")
}

// An a-kasse sends the information for an unemployed member's parental
// leave case (seeds/000 § 1 nr. 6).
func TestParentalAKasseFromLoginToReceipt(t *testing.T) {
	ctx := browser(t, 6*time.Minute)
	member, _ := synth.PersonaByKey(synth.PersonaUnemployedMember)
	w1, _ := leaveWeeks()
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "akasse")
	chooseBlanket(t, ctx, "barsel-a-kasse", []string{"a-kasse", "barsel-a-kasse"}, "parental-21-choose-akasse", "barsel-arbejdsgiver", "barsel-selvstaendig", "tidlig-opfoelgning")
	checkPage(t, ctx, "parental-22-member")
	fill(t, ctx, map[string]string{"#f-cpr": member.CPR.String(), "#f-dailyBenefitRate": "1.000,00"})
	date(t, ctx, "f-memberSince", w1.AddDate(-6, 0, 0))
	run(t, ctx, "insurance and unemployed", pick("f-insurance-option1"), pick("f-fullyUnemployed-option1"))
	next(t, ctx)
	date(t, ctx, "f-childDate", w1)
	next(t, ctx)
	leavePeriod(t, ctx, 0, w1, w1.AddDate(0, 0, 6), 2, "37", "")
	next(t, ctx)
	fill(t, ctx, map[string]string{"#f-contact-name": "Anne A-kasse", "#f-contact-phone": "12345678"})
	next(t, ctx)
	if h := text(t, ctx, "main h1"); h != "Tjek dine svar" {
		t.Fatalf("after the last page: %q", h)
	}
	checkPage(t, ctx, "parental-23-check-akasse")
	senderSendsToReceipt(t, ctx)
	if next := text(t, ctx, "#receipt-next"); !strings.HasPrefix(next, "Når oplysningerne er sendt videre, bruger Udbetaling Danmark dem") {
		t.Errorf("what happens next after an a-kasse's information: %q", next)
	}
	checkPage(t, ctx, "parental-24-receipt-akasse")
}

// Early follow-up (sygedagpengeloven § 13 b): an employer may ask it within
// the first 5 weeks of the absence. A reported absence's case offers it
// with the first absence day filled in; the form checks the expected
// length (more than 8 weeks) with the server's words and is sent. A case
// past the 5 weeks says why it is not offered, and the form itself refuses
// a first absence day past the 5 weeks.
func TestEarlyFollowUpOfferedWithinFiveWeeks(t *testing.T) {
	ctx := browser(t, 10*time.Minute)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	other, _ := synth.PersonaByKey(synth.PersonaNemSMS)
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")

	// Two absences: one 17 days old, one 36 days old (past the 5 weeks;
	// first days no other test reports for these persons).
	first := time.Now().AddDate(0, 0, -17)
	employerReportToCheck(t, ctx, emp, first, first.AddDate(-3, 0, 0), "215,50", "Lone Løn", "lone@example.dk")
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	recent := senderSendsToReceipt(t, ctx)
	open(t, ctx, "/nemrefusion")
	old := time.Now().AddDate(0, 0, -36)
	employerReportToCheck(t, ctx, other, old, old.AddDate(-3, 0, 0), "215,50", "Lone Løn", "lone@example.dk")
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	late := senderSendsToReceipt(t, ctx)

	// Past the 5 weeks: the case says why there is no early follow-up.
	lateCase := caseLinkOf(t, ctx, late)
	reloadUntil(t, ctx, lateCase, `#offer-tidlig-opfoelgning`, 30*time.Second)
	if n := len(texts(t, ctx, `#offer-tidlig-opfoelgning a`)); n != 0 {
		t.Error("a case past the first 5 weeks offers early follow-up")
	}
	lastDay := old.AddDate(0, 0, 34)
	if s := text(t, ctx, `#offer-tidlig-opfoelgning`); !strings.Contains(s, "inden for de første 5 uger af fraværet") || !strings.Contains(s, "§ 13 b") || !strings.Contains(s, fmt.Sprintf("senest %d. ", lastDay.Day())) {
		t.Errorf("why early follow-up is not offered: %q", s)
	}
	checkPage(t, ctx, "early-01-case-late")

	// Within the 5 weeks: offered, with the first absence day filled in.
	recentCase := caseLinkOf(t, ctx, recent)
	reloadUntil(t, ctx, recentCase, `#offer-tidlig-opfoelgning a`, 30*time.Second)
	checkPage(t, ctx, "early-02-case-offered")
	clickMove(t, ctx, `#offer-tidlig-opfoelgning a`)
	checkPage(t, ctx, "early-03-employee")
	fill(t, ctx, map[string]string{"#f-cpr": emp.CPR.String(), "#f-pNumber": emp.PNumber.String()})
	next(t, ctx)
	var day string
	run(t, ctx, "first absence day from the case", chromedp.Value(`#f-firstAbsenceDay-day`, &day, chromedp.ByQuery))
	if day != fmt.Sprint(first.Day()) {
		t.Errorf("the first absence day is taken from the case: day %q, want %d", day, first.Day())
	}
	// Expected 6 weeks: not more than 8, in the server's words.
	fill(t, ctx, map[string]string{"#f-expectedWeeks": "6"})
	date(t, ctx, "f-expectedReturn", first.AddDate(0, 0, -1))
	run(t, ctx, "submit", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	want := []string{
		"Forventet varighed af fraværet: Tidlig opfølgning kan kun anmodes, når fraværet forventes at vare mere end 8 uger fra første fraværsdag.",
		"Forventet dato for tilbagevenden: Datoen kan ikke ligge før første fraværsdag.",
	}
	if s := sameMessages(t, ctx, "da"); !slices.Equal(s, want) {
		t.Errorf("the early follow-up's rules on the page: %q, want %q", s, want)
	}
	checkPage(t, ctx, "early-04-absence-errors")
	fill(t, ctx, map[string]string{"#f-expectedWeeks": "12"})
	date(t, ctx, "f-expectedReturn", first.AddDate(0, 0, 84))
	next(t, ctx)
	fill(t, ctx, map[string]string{"#f-contact-name": "Lone Løn"})
	next(t, ctx)
	if h := text(t, ctx, "main h1"); h != "Tjek dine svar" {
		t.Fatalf("after the last page: %q", h)
	}
	checkPage(t, ctx, "early-05-check")
	senderSendsToReceipt(t, ctx)
	if next := text(t, ctx, "#receipt-next"); !strings.Contains(next, "senest 2 uger efter anmodningen (sygedagpengeloven § 13 b)") {
		t.Errorf("what happens next after an early follow-up request: %q", next)
	}
	checkPage(t, ctx, "early-06-receipt")

	// Started from "Hvad vil du anmelde?" for an absence past the 5 weeks:
	// the first absence day is refused on the page with the server's words
	// (refusion.EarlyFollowUp).
	open(t, ctx, "/nemrefusion")
	chooseBlanket(t, ctx, "tidlig-opfoelgning", []string{"tidlig-opfoelgning"}, "")
	fill(t, ctx, map[string]string{"#f-cpr": other.CPR.String(), "#f-pNumber": other.PNumber.String()})
	next(t, ctx)
	date(t, ctx, "f-firstAbsenceDay", old)
	fill(t, ctx, map[string]string{"#f-expectedWeeks": "12"})
	run(t, ctx, "submit", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	s := sameMessages(t, ctx, "da")
	if len(s) != 1 || !strings.HasPrefix(s[0], "Første fraværsdag: Anmodning om tidlig opfølgning skal ske inden for de første 5 uger af fraværet (senest ") || !strings.HasSuffix(s[0], "er for sent.") {
		t.Errorf("a first absence day past the 5 weeks: %q", s)
	}
	checkPage(t, ctx, "early-07-too-late")
}
