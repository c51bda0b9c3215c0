package browser

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/devissuer"
)

// caseFeedback posts feedback about absence as København's case system
// (KSD) through intake, as a case system does.
func caseFeedback(t *testing.T, absence, typ string, data any) {
	t.Helper()
	ev, _ := json.Marshal(map[string]any{"specversion": "1.0", "type": typ, "source": "/browser-test/ksd", "id": uuid.NewString(),
		"partitionkey": absence, "datacontenttype": "application/json", "data": data})
	if code := apiCall(t, devissuer.PersonaCaseSystem, http.MethodPost, "/api/v1/events", string(ev), nil); code != http.StatusAccepted {
		t.Fatalf("%s: %d", typ, code)
	}
}

// The pages of seeds/003 beyond the tasks: "Status på min sag" with the
// case system's status, first absence day and amount before tax; the
// "Hjælp" pop-up about personal data; "Kladden er gemt" after "Gem og gå
// til forsiden" and "Fortsæt" on the started form; the warning before
// "Log af" while tasks with a deadline are pending; an upload rejected by
// the virus scan on the timeline with its receipt ("Du har forsøgt at
// indsende dokumentation"); the week picker of a partial resumption; the
// employer's report in the order, words and units of the employer's form.
// Every page passes axe in Danish and English.
func TestCitizenPages(t *testing.T) {
	// A first day no other test of the package reports for the citizen
	// persona (the same day again would be the same absence).
	first := time.Now().AddDate(0, 0, -11)
	absence := reportForCitizen(t, first)
	base := "/mit-sygefravaer/" + absence
	section := `section:has(form.legal-form[data-absence="` + absence + `"]), section:has(a[href^="` + base + `/"])`

	// The municipality's case system answers: in progress, and a decision.
	now := time.Now().UTC()
	caseFeedback(t, absence, events.CaseStatusChanged, events.CaseStatusChange{AbsenceID: absence, Recipient: "101", Status: "in-progress",
		ChangedAt: now.Format(time.RFC3339), NoteDa: "Vi behandler din sag.", NoteEn: "We are processing your case."})
	caseFeedback(t, absence, events.RefusionDecided, events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D-" + absence[:8],
		DecidedOn: now.Format(time.DateOnly), Outcome: "granted", Periods: []events.DecidedPeriod{
			{From: first.Format(time.DateOnly), To: first.AddDate(0, 0, 6).Format(time.DateOnly), AmountOre: 512_345}}})

	ctx := browser(t, 8*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-citizen", "citizen")

	// Status på min sag: the absence's block has the case system's status,
	// the first absence day and the amount before tax.
	block := `.cz-status-block:has(table) `
	deadline := time.Now().Add(45 * time.Second)
	var rows string
	for {
		open(t, ctx, "/mit-sygefravaer/status")
		rows = strings.Join(texts(t, ctx, block+"table"), "\n")
		if strings.Contains(rows, "5.123,45 kr.") || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	wantDay := strings.TrimSpace(first.Format("2")) + ". "
	for _, want := range []string{"Status på sagen", "Under behandling", "Vi behandler din sag.", "Beregnet beløb til udbetaling før skat", "5.123,45 kr.", "Første fraværsdag", wantDay} {
		if !strings.Contains(rows, want) {
			t.Errorf("Status på min sag lacks %q: %q", want, rows)
		}
	}
	// Every synthetic municipality has a DPO link (seeded, or set by its
	// administrator): no page says none is configured.
	var dpoHref string
	run(t, ctx, "dpo link", chromedp.AttributeValue(`#dpo-link`, "href", &dpoHref, nil, chromedp.ByQuery))
	if !strings.HasPrefix(dpoHref, "https://") {
		t.Errorf("the DPO link: %q", dpoHref)
	}
	if s := text(t, ctx, "#dpo"); strings.Contains(s, "ikke oplyst") {
		t.Errorf("the footer says no DPO link is configured: %q", s)
	}
	checkPage(t, ctx, "60-citizen-case-status")

	// Hjælp: the pop-up about personal data, closed again.
	run(t, ctx, "help", chromedp.Click(`[data-cz-help]`, chromedp.ByQuery), chromedp.WaitVisible(`#cz-help-modal[aria-hidden="false"] .modal-title`, chromedp.ByQuery))
	if s := text(t, ctx, "#cz-help-modal"); !strings.Contains(s, "databeskyttelsesrådgiver") || !strings.Contains(s, "1014 af 15/08/2013") {
		t.Errorf("the help pop-up: %q", s)
	}
	axe(t, ctx, "help pop-up (da)")
	shot(t, ctx, "61-citizen-help-da")
	run(t, ctx, "close help", chromedp.Click(`#cz-help-modal .modal-footer [data-modal-close]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#cz-help-modal[aria-hidden="false"]`, chromedp.ByQuery))
	setLang(t, ctx, "en")
	run(t, ctx, "help (en)", chromedp.Click(`[data-cz-help]`, chromedp.ByQuery), chromedp.WaitVisible(`#cz-help-modal[aria-hidden="false"] .modal-title`, chromedp.ByQuery))
	if s := text(t, ctx, "#cz-help-modal .modal-title"); s != "How the municipality processes your personal data" {
		t.Errorf("the help pop-up in English: %q", s)
	}
	axe(t, ctx, "help pop-up (en)")
	shot(t, ctx, "61-citizen-help-en")
	run(t, ctx, "close help (en)", chromedp.Click(`#cz-help-modal .modal-close`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#cz-help-modal[aria-hidden="false"]`, chromedp.ByQuery))
	setLang(t, ctx, "da")

	// The logout warning: three tasks with a deadline are pending.
	open(t, ctx, "/mit-sygefravaer")
	run(t, ctx, "log off", chromedp.Click(`.portal-user .log-off`, chromedp.ByQuery),
		chromedp.WaitVisible(`#cz-logout-modal[aria-hidden="false"] .modal-title`, chromedp.ByQuery))
	if s := text(t, ctx, "#cz-logout-text"); !strings.HasPrefix(s, "Du har ") || !strings.Contains(s, "opgaver med frist") {
		t.Errorf("the logout warning: %q", s)
	}
	if h := text(t, ctx, "main h1"); h != "Mit forløb" {
		t.Errorf("the warning logged off: %q", h)
	}
	axe(t, ctx, "logout warning (da)")
	shot(t, ctx, "62-citizen-logout-warning-da")
	run(t, ctx, "stay", chromedp.Click(`#cz-logout-stay`, chromedp.ByQuery), chromedp.WaitNotPresent(`#cz-logout-modal[aria-hidden="false"]`, chromedp.ByQuery))
	setLang(t, ctx, "en")
	run(t, ctx, "log off (en)", chromedp.Click(`.portal-user .log-off`, chromedp.ByQuery),
		chromedp.WaitVisible(`#cz-logout-modal[aria-hidden="false"] .modal-title`, chromedp.ByQuery))
	if s := text(t, ctx, "#cz-logout-text"); !strings.Contains(s, "tasks with a deadline") {
		t.Errorf("the logout warning in English: %q", s)
	}
	axe(t, ctx, "logout warning (en)")
	shot(t, ctx, "62-citizen-logout-warning-en")
	run(t, ctx, "stay (en)", chromedp.Click(`#cz-logout-stay`, chromedp.ByQuery), chromedp.WaitNotPresent(`#cz-logout-modal[aria-hidden="false"]`, chromedp.ByQuery))
	setLang(t, ctx, "da")

	// Delvist genoptaget arbejde: the week is chosen from the weeks since
	// the first absence day, this week first.
	open(t, ctx, "/mit-sygefravaer/delvist-genoptaget")
	weeks := texts(t, ctx, `#f-weeks-0-weekStart option`)
	if len(weeks) < 3 || !strings.HasPrefix(weeks[1], "Uge ") || !strings.Contains(weeks[1], " – ") {
		t.Errorf("the week picker: %q", weeks)
	}
	var chosen string
	run(t, ctx, "the week chosen", chromedp.Value(`#f-weeks-0-weekStart`, &chosen, chromedp.ByQuery))
	if m := time.Now(); chosen != m.AddDate(0, 0, -((int(m.Weekday())+6)%7)).Format(time.DateOnly) {
		t.Errorf("the first week is %s, want this week's Monday", chosen)
	}
	checkPage(t, ctx, "65-citizen-partial-week-picker")

	// The employer's information in the order and words of the employer's
	// form, with units.
	if code := apiCall(t, devissuer.PersonaCitizen, http.MethodPost, "/api/v1/citizen/absences/"+absence+"/legal-text", map[string]bool{"acknowledged": true}, nil); code/100 != 2 {
		t.Fatalf("the legal text: %d", code)
	}
	open(t, ctx, base+"/opgave/comment")
	heads := texts(t, ctx, "#report h3")
	if strings.Join(heads, "|") != "Fraværet|Ansættelse og løn|Særlige forhold|Fastholdelse|Kontaktperson" {
		t.Errorf("the report's sections: %q, want the employer form's pages in order", heads)
	}
	job := cells(t, ctx, "#report-1")
	for _, want := range []string{"Ansat siden: 1. februar 2018", "Normal arbejdstid pr. uge: 37 timer", "Timefortjeneste før AM-bidrag: 215,50 kr.", "Udbetaler I løn under fraværet?: Nej"} {
		if !strings.Contains(job, want) {
			t.Errorf("the report lacks %q: %q", want, job)
		}
	}
	checkPage(t, ctx, "66-citizen-employer-report")

	// The first two tasks through the API, then the information form's
	// first page saved as a draft: "Kladden er gemt" and "Fortsæt".
	if code := apiCall(t, devissuer.PersonaCitizen, http.MethodPost, "/api/v1/citizen/absences/"+absence+"/tasks/comment/answer", map[string]bool{"agree": true}, nil); code/100 != 2 {
		t.Fatalf("the comment: %d", code)
	}
	app := map[string]any{"apply": true, "otherIncome": false, "holidayDuringAbsence": false, "employmentEnded": false}
	var sent struct {
		Receipt struct {
			AnswerID string `json:"answerId"`
		} `json:"receipt"`
	}
	if code := apiCall(t, devissuer.PersonaCitizen, http.MethodPost, "/api/v1/citizen/absences/"+absence+"/tasks/sygedagpenge-application/answer", app, &sent); code/100 != 2 {
		t.Fatalf("the application: %d", code)
	}
	// The receipt holds what was sent, in the words of the task's page.
	open(t, ctx, "/mit-sygefravaer/kvittering/"+absence+"/"+sent.Receipt.AnswerID)
	if c := cells(t, ctx, "#receipt-content-0"); !strings.Contains(c, "Vil du søge om sygedagpenge?: Ja") || !strings.Contains(c, ": Nej") {
		t.Errorf("the application's receipt content: %q", c)
	}
	checkPage(t, ctx, "67-citizen-receipt-content")
	open(t, ctx, base+"/oplysningsskema")
	clickMove(t, ctx, `#if-start`)
	run(t, ctx, "illness", pick("f-cause-option1"))
	clickMove(t, ctx, `#save-draft`)
	run(t, ctx, "draft saved", chromedp.WaitVisible(`#draft-saved`, chromedp.ByQuery))
	if s := text(t, ctx, "#draft-saved"); !strings.Contains(s, "Kladden er gemt") {
		t.Errorf("after Gem og gå til forsiden: %q", s)
	}
	cont := section + ` a[href="` + base + `/oplysningsskema"]`
	if s := text(t, ctx, cont); !strings.HasPrefix(s, "Fortsæt") {
		t.Errorf("the started form's button: %q, want Fortsæt", s)
	}
	checkPage(t, ctx, "63-citizen-draft-saved")
	if s := text(t, ctx, cont); !strings.HasPrefix(s, "Fortsæt") {
		t.Errorf("the started form's button after the language switch: %q", s)
	}

	// An infected upload: rejected, and on the timeline as a receipt.
	open(t, ctx, "/mit-sygefravaer/upload")
	e := clamav.EICAR()
	infected := append(append([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"+
		"3 0 obj<</Length "+strconv.Itoa(len(e))+">>stream\n"), e...), "\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"...)
	pdf := filepath.Join(t.TempDir(), "laegeerklaering.pdf")
	if err := os.WriteFile(pdf, infected, 0o644); err != nil {
		t.Fatal(err)
	}
	chooseOwnAbsence(t, ctx, absence)
	fill(t, ctx, map[string]string{"#f-title": "Lægeerklæring", "#f-reason": "Erklæring fra min læge."})
	run(t, ctx, "choose the file", chromedp.SetUploadFiles(`#f-file`, []string{pdf}, chromedp.ByQuery))
	run(t, ctx, "send", chromedp.Click(`#cz-send`, chromedp.ByQuery), chromedp.WaitVisible(`#f-file-error`, chromedp.ByQuery))
	var rejected string
	deadline = time.Now().Add(45 * time.Second)
	for {
		open(t, ctx, "/mit-sygefravaer")
		if l := texts(t, ctx, section+` .cz-rejected-receipt a`); len(l) > 0 {
			var href string
			run(t, ctx, "rejected link", chromedp.AttributeValue(section+` .cz-rejected-receipt a`, "href", &href, nil, chromedp.ByQuery))
			rejected = href
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the rejected upload never reached the timeline")
		}
		time.Sleep(time.Second)
	}
	if s := text(t, ctx, section+` .cz-rejected-receipt`); !strings.Contains(s, "Du har forsøgt at indsende dokumentation") || !strings.Contains(s, "Afvist") {
		t.Errorf("the rejected upload on the timeline: %q", s)
	}
	clickMove(t, ctx, section+` .cz-rejected-receipt a`)
	if !strings.HasPrefix(rejected, "/mit-sygefravaer/kvittering/"+absence+"/") {
		t.Errorf("the rejected receipt's link: %q", rejected)
	}
	s := text(t, ctx, "#cz-rejected-receipt")
	for _, want := range []string{"Du har forsøgt at indsende dokumentation", "inficeret med virus", "ikke sendt til kommunen", `Dokument der blev fjernet: "Lægeerklæring"`} {
		if !strings.Contains(s, want) {
			t.Errorf("the rejected receipt lacks %q: %q", want, s)
		}
	}
	if r := cells(t, ctx, "#receipt-table"); !strings.Contains(r, "Virus fundet") || !strings.Contains(r, "Sendt til kommunen: Nej") {
		t.Errorf("the rejected receipt's table: %q", r)
	}
	checkPage(t, ctx, "64-citizen-rejected-receipt")
}
