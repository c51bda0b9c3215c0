package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

// apiCall calls the public origin as persona (a fresh token) and decodes
// a JSON answer into out (when non-nil); it returns the status.
func apiCall(t *testing.T, persona, method, path string, body any, out any) int {
	t.Helper()
	tok, err := stack.Issuer().PersonaToken(persona)
	if err != nil {
		t.Fatal(err)
	}
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/cloudevents+json"
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, stack.Get().URL()+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	if resp.StatusCode/100 != 2 {
		t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// reportForCitizen posts, as the demo employer through intake, a report of
// the citizen persona's sickness without wages paid (so the person gets all
// three tasks), and waits until the citizen function has the absence.
func reportForCitizen(t *testing.T, first time.Time) string {
	t.Helper()
	p, _ := synth.PersonaByKey(synth.PersonaEmployee)
	data := events.SicknessEmployerReport{CPR: p.CPR.String(), CVR: p.CVR.String(), PNumber: p.PNumber.String(),
		FirstAbsenceDay: first.Format(time.DateOnly), WeeklyHours: 37, WagesPaid: false, HourlyEarnings: 215.5,
		EmployedSince: "2018-02-01", Retention: events.Retention{ExpectsReturn: true, PartialResumptionPossible: true}, Contact: events.Contact{Name: "Lone Løn"}}
	ev, _ := json.Marshal(map[string]any{"specversion": "1.0", "type": events.SicknessEmployerReported, "source": "/browser-test", "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data})
	var rc struct {
		Stream string `json:"stream"`
	}
	if code := apiCall(t, devissuer.PersonaEmployer, http.MethodPost, "/api/v1/events", string(ev), &rc); code != http.StatusAccepted {
		t.Fatalf("the employer's report: %d", code)
	}
	deadline := time.Now().Add(45 * time.Second)
	for apiCall(t, devissuer.PersonaCitizen, http.MethodGet, "/api/v1/citizen/absences/"+rc.Stream, nil, nil) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the citizen's tasks never arrived")
		}
		time.Sleep(300 * time.Millisecond)
	}
	return rc.Stream
}

// clickMove clicks sel and waits for the app's next page.
func clickMove(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	var before string
	run(t, ctx, "location", chromedp.Location(&before))
	run(t, ctx, "click "+sel, chromedp.Click(sel, chromedp.ByQuery))
	waitMoved(t, ctx, before)
}

// A citizen whose employer reported the absence answers all three tasks in
// Mit Sygefravær: confirms the legal text, disagrees with the report with
// a comment (signed), applies for sygedagpenge, fills in half the
// information form, saves the draft, logs out, logs in again, resumes on
// the page reached and sends the form; then uploads a document, visits
// every tab, and sees the session-timeout warning. The DPO link is on
// every page. Every page passes axe in Danish and English.
func TestCitizenAnswersTasksResumesDraftAndUploads(t *testing.T) {
	absence := reportForCitizen(t, time.Now().AddDate(0, 0, -9))
	const dpoURL = "https://www.kk.dk/databeskyttelse"
	if code := apiCall(t, devissuer.PersonaAdmin, http.MethodPut, "/api/v1/admin/municipalities/101/dpo", map[string]string{"url": dpoURL}, nil); code/100 != 2 {
		t.Fatalf("set the DPO link: %d", code)
	}
	ctx := browser(t, 10*time.Minute)
	dpo := func(page string) {
		t.Helper()
		var href string
		run(t, ctx, "dpo link", chromedp.AttributeValue(`#dpo-link`, "href", &href, nil, chromedp.ByQuery))
		if href != dpoURL {
			t.Errorf("%s: the DPO link is %q, want %q", page, href, dpoURL)
		}
	}
	base := "/mit-sygefravaer/" + absence

	open(t, ctx, "/")
	login(t, ctx, "#login-citizen", "citizen")
	if h := text(t, ctx, "main h1"); h != "Mit forløb" {
		t.Fatalf("after login: %q", h)
	}
	var theme string
	run(t, ctx, "theme", chromedp.AttributeValue(`#theme`, "href", &theme, nil, chromedp.ByQuery))
	if !strings.Contains(theme, "borgerdk") {
		t.Errorf("citizens get the Borger.dk theme, got %s", theme)
	}
	tabs := texts(t, ctx, ".tab-list .tab-button")
	if strings.Join(tabs, "|") != "Mit forløb|Status på min sag|Meld dig rask|Upload dokumentation|Delvist genoptaget arbejde|Fuldmagt" {
		t.Errorf("tabs: %q", tabs)
	}
	dpo("Mit forløb")
	legal := `form.legal-form[data-absence="` + absence + `"]`
	run(t, ctx, "legal text", chromedp.WaitVisible(legal, chromedp.ByQuery))
	checkPage(t, ctx, "30-citizen-my-case")

	// The legal text: confirming without the tick is an error; then ticked.
	run(t, ctx, "confirm without the tick", chromedp.Click(legal+` button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	shot(t, ctx, "31-citizen-legal-error-da")
	run(t, ctx, "tick and confirm", chromedp.Click(legal+` label.form-label[for^="legal-"]`, chromedp.ByQuery), chromedp.Click(legal+` button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="`+base+`/opgave/comment"]`, chromedp.ByQuery))

	// Task 1: the comment. Disagreeing asks for a comment and is signed.
	clickMove(t, ctx, `a[href="`+base+`/opgave/comment"]`)
	if rows := text(t, ctx, "#report"); !strings.Contains(rows, "Lone Løn") {
		t.Errorf("the comment task shows the report: %q", rows)
	}
	checkPage(t, ctx, "32-citizen-comment")
	run(t, ctx, "disagree", pick("f-agree-option2"), chromedp.WaitVisible(`#f-comment`, chromedp.ByQuery))
	run(t, ctx, "submit without a comment", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	checkPage(t, ctx, "33-citizen-comment-error")
	fill(t, ctx, map[string]string{"#f-comment": "Jeg arbejder 37 timer om ugen, ikke 30."})
	next(t, ctx)
	if h := text(t, ctx, "main h1"); h != "Opsummering" {
		t.Fatalf("after the comment: %q", h)
	}
	checkPage(t, ctx, "34-citizen-comment-summary")
	clickMove(t, ctx, `#cz-send`)
	run(t, ctx, "receipt", chromedp.WaitVisible(`#cz-receipt`, chromedp.ByQuery))
	if r := cells(t, ctx, "#receipt-table"); !strings.Contains(r, "Opgave: Kommentér") || !strings.Contains(r, "Underskrevet: Ja") {
		t.Errorf("comment receipt: %q", r)
	}
	checkPage(t, ctx, "35-citizen-receipt")

	// Task 2: the application, reached from the receipt's reminder.
	clickMove(t, ctx, `#next-start`)
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "sygedagpenge") {
		t.Fatalf("the next task: %q", h)
	}
	run(t, ctx, "apply", pick("f-apply-option1"), chromedp.WaitVisible(`label[for="f-employmentEnded-option2"]`, chromedp.ByQuery))
	checkPage(t, ctx, "36-citizen-application")
	run(t, ctx, "answer", pick("f-otherIncome-option2"), pick("f-holidayDuringAbsence-option2"), pick("f-employmentEnded-option2"))
	next(t, ctx)
	clickMove(t, ctx, `#cz-send`)
	run(t, ctx, "receipt", chromedp.WaitVisible(`#cz-receipt`, chromedp.ByQuery))

	// Task 3: the information form, one section per page.
	clickMove(t, ctx, `#next-start`)
	checkPage(t, ctx, "37-citizen-form-start")
	clickMove(t, ctx, `#if-start`)
	if h := text(t, ctx, "main h1"); !strings.HasSuffix(h, "Din sygdom") {
		t.Fatalf("first section: %q", h)
	}
	checkPage(t, ctx, "38-citizen-form-illness")
	run(t, ctx, "submit empty", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if n := len(texts(t, ctx, "#error-summary li")); n != 4 {
		t.Errorf("%d errors on an empty illness page, want 4", n)
	}
	checkPage(t, ctx, "39-citizen-form-errors")
	// Seriously ill asks about standby; then not.
	run(t, ctx, "seriously ill", pick("f-seriousIllness-option1"), chromedp.WaitVisible(`label[for="f-useStandby-option1"]`, chromedp.ByQuery))
	run(t, ctx, "not seriously ill", pick("f-seriousIllness-option2"), chromedp.WaitNotPresent(`#f-useStandby-option1`, chromedp.ByQuery))
	run(t, ctx, "illness", pick("f-cause-option1"), pick("f-hospitalised-option2"))
	fill(t, ctx, map[string]string{"#f-description": "Brækket ankel efter fald på trappen."})
	next(t, ctx)
	run(t, ctx, "injury", pick("f-workInjury-option2"), pick("f-personalInjury-option2"))
	next(t, ctx)
	fill(t, ctx, map[string]string{"#f-jobTitle": "Lagermedarbejder"})
	run(t, ctx, "education", pick("f-education-option2"))
	next(t, ctx)
	if h := text(t, ctx, "main h1"); !strings.HasSuffix(h, "Tilbage i arbejde") {
		t.Fatalf("fourth section: %q", h)
	}
	checkPage(t, ctx, "40-citizen-form-back-to-work")
	run(t, ctx, "back to work", pick("f-backByTargetDate-option1"))
	clickMove(t, ctx, `#save-draft`)
	if h := text(t, ctx, "main h1"); h != "Mit forløb" {
		t.Fatalf("after saving the draft: %q", h)
	}

	// Log out, log in again: the draft resumes on the page reached.
	// Tasks with a deadline are pending: "Log af" warns first (seeds/003).
	run(t, ctx, "log off", chromedp.Click(`.portal-user .log-off`, chromedp.ByQuery),
		chromedp.WaitVisible(`#cz-logout-modal[aria-hidden="false"]`, chromedp.ByQuery))
	clickMove(t, ctx, `#cz-logout-anyway`)
	open(t, ctx, "/")
	login(t, ctx, "#login-citizen", "citizen")
	clickMove(t, ctx, `a[href="`+base+`/oplysningsskema"]`)
	run(t, ctx, "draft note", chromedp.WaitVisible(`#draft-note`, chromedp.ByQuery))
	clickMove(t, ctx, `#if-start`)
	if h := text(t, ctx, "main h1"); !strings.HasSuffix(h, "Tilbage i arbejde") {
		t.Fatalf("resumed on %q, want Tilbage i arbejde", h)
	}
	var kept bool
	run(t, ctx, "draft answer", chromedp.Evaluate(`document.querySelector('#f-backByTargetDate-option1').checked`, &kept))
	if !kept {
		t.Error("the draft's answer is not there after a new login")
	}
	run(t, ctx, "back to work", pick("f-partialResumptionPossible-option2"), pick("f-returnToOwnWorkplace-option1"))
	next(t, ctx)
	run(t, ctx, "in treatment", pick("f-inTreatment-option1"), chromedp.WaitVisible(`#f-places-0-name`, chromedp.ByQuery))
	run(t, ctx, "a second place", chromedp.Click(`[data-add="places"]`, chromedp.ByQuery), chromedp.WaitVisible(`#f-places-1-name`, chromedp.ByQuery))
	checkPage(t, ctx, "41-citizen-form-treatment")
	run(t, ctx, "places", pick("f-places-0-kind-option1"), pick("f-places-1-kind-option2"), pick("f-awaitingOperation-option2"))
	fill(t, ctx, map[string]string{"#f-places-0-name": "Lægerne på Vesterbro", "#f-places-1-name": "Hvidovre Hospital"})
	next(t, ctx)
	checkPage(t, ctx, "42-citizen-form-workplace")
	run(t, ctx, "workplace", pick("f-affectedWorkSince-option2"), pick("f-retentionPlanMade-option2"), pick("f-medicalCertificateForEmployer-option2"))
	next(t, ctx)
	fill(t, ctx, map[string]string{"#f-phone": "12345678"})
	next(t, ctx)
	run(t, ctx, "consents", pick("f-healthInformation-option1"), pick("f-registerMatching-option1"))
	next(t, ctx)
	if h := text(t, ctx, "main h1"); !strings.HasSuffix(h, "Opsummering") {
		t.Fatalf("after the last section: %q", h)
	}
	if s := text(t, ctx, "main"); !strings.Contains(s, "Hvidovre Hospital") || !strings.Contains(s, "Lagermedarbejder") {
		t.Errorf("the summary lacks answers: %q", s)
	}
	checkPage(t, ctx, "43-citizen-form-summary")
	clickMove(t, ctx, `#cz-send`)
	run(t, ctx, "receipt", chromedp.WaitVisible(`#cz-receipt`, chromedp.ByQuery))
	if n := len(texts(t, ctx, "#next-task")); n != 0 {
		t.Error("no task should be left after the form")
	}
	dpo("receipt")

	// All three answered: the absence's tasks are gone and its receipts listed.
	open(t, ctx, "/mit-sygefravaer")
	section := `section:has(a[href^="/mit-sygefravaer/kvittering/` + absence + `/"])`
	if n := len(texts(t, ctx, section+" .receipts li")); n != 3 {
		t.Errorf("%d receipts listed for the absence, want 3", n)
	}
	if s := text(t, ctx, section); !strings.Contains(s, "Du har ingen opgaver, der venter") {
		t.Errorf("open tasks left: %q", s)
	}

	// Upload a document: scanned, then sent to the municipality.
	open(t, ctx, "/mit-sygefravaer/upload")
	checkPage(t, ctx, "44-citizen-upload")
	pdf := filepath.Join(t.TempDir(), "loenseddel.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := len(texts(t, ctx, `input[name="absence"][type="radio"]`)); n > 0 {
		run(t, ctx, "choose the absence", chromedp.Click(`input[name="absence"][value="`+absence+`"] + label`, chromedp.ByQuery))
	}
	fill(t, ctx, map[string]string{"#f-title": "Lønseddel (september)", "#f-reason": "Min lønseddel for september."})
	run(t, ctx, "choose the file", chromedp.SetUploadFiles(`#f-file`, []string{pdf}, chromedp.ByQuery))
	run(t, ctx, "send", chromedp.Click(`#cz-send`, chromedp.ByQuery), chromedp.WaitVisible(`#cz-receipt`, chromedp.ByQuery), waitPage())
	if r := cells(t, ctx, "#receipt-table"); !strings.Contains(r, "Opgave: Dokumentation") || !strings.Contains(r, "Vedhæftede dokumenter: 1") {
		t.Errorf("upload receipt: %q", r)
	}
	checkPage(t, ctx, "45-citizen-upload-receipt")

	for _, p := range []struct{ path, name string }{
		{"/mit-sygefravaer/status", "46-citizen-status"},
		{"/mit-sygefravaer/meld-dig-rask", "47-citizen-recovery"},
		{"/mit-sygefravaer/delvist-genoptaget", "48-citizen-partial"},
		{"/mit-sygefravaer/fuldmagt", "49-citizen-proxy"},
	} {
		open(t, ctx, p.path)
		dpo(p.path)
		checkPage(t, ctx, p.name)
	}

	// The session-timeout warning: the token is made to end in 90 seconds,
	// within the warning time; the warning takes focus and logs off.
	run(t, ctx, "shorten the session", chromedp.Evaluate(`(() => { const s = JSON.parse(sessionStorage.getItem('nr.session'));
		s.expiresAt = Date.now() + 90000; sessionStorage.setItem('nr.session', JSON.stringify(s)); })()`, nil),
		chromedp.WaitVisible(`#session-modal[aria-hidden="false"] .modal-title`, chromedp.ByQuery))
	var focused string
	run(t, ctx, "focus", chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "session-modal-heading" {
		t.Errorf("the warning must take focus, %q has it", focused)
	}
	axe(t, ctx, "session warning (da)")
	shot(t, ctx, "50-session-warning-da")
	run(t, ctx, "log off from the warning", chromedp.Click(`#session-modal [data-action="logout"]`, chromedp.ByQuery), waitPage())
	if h := text(t, ctx, "main h1"); h != "Du er logget af" {
		t.Errorf("after the warning: %q", h)
	}
}

// A caseworker of København sees a report in the municipality's inbox,
// opens it (the read is in the ledger) and sees its contents; then opens
// the citizen's documentation and downloads its document (the delivery
// gave the municipality access; the download is in the ledger too).
func TestCaseworkerOpensAnItem(t *testing.T) {
	absence := reportForCitizen(t, time.Now().AddDate(0, 0, -4))
	pdf := []byte("%PDF-1.4\n% caseworker test " + absence + "\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	doc := uploadForAbsence(t, absence, "Lønseddel (september)", pdf)
	sendDocumentation(t, absence, doc)
	ctx := browser(t, 4*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-caseworker", "caseworker")
	if h := text(t, ctx, "main h1"); h != "Kommunens indbakke" {
		t.Fatalf("after login: %q", h)
	}
	row := `#inbox-table tr[data-item^="` + absence + `/"]:not([data-item^="` + absence + `/documentation/"]) a`
	reloadUntil(t, ctx, "/sagsbehandler", row, 45*time.Second)
	checkPage(t, ctx, "60-caseworker-inbox")
	clickMove(t, ctx, row)
	if facts := text(t, ctx, "#item-facts"); !strings.Contains(facts, absence) {
		t.Errorf("item facts: %q", facts)
	}
	if c := text(t, ctx, "#item-content"); !strings.Contains(c, "Lone Løn") {
		t.Errorf("item content: %q", c)
	}
	checkPage(t, ctx, "61-caseworker-item")
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var reads int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND actor = $2`,
		"reads/"+absence, "dev:caseworker").Scan(&reads); err != nil || reads == 0 {
		t.Errorf("opening the item is not in the ledger (%d reads, %v)", reads, err)
	}

	// The citizen's documentation: the item lists the document, and the
	// caseworker opens it.
	docRow := `#inbox-table tr[data-item^="` + absence + `/documentation/"] a`
	reloadUntil(t, ctx, "/sagsbehandler", docRow, 45*time.Second)
	clickMove(t, ctx, docRow)
	if s := text(t, ctx, "#item-documents"); !strings.Contains(s, doc) {
		t.Fatalf("the item's documents: %q, want %s", s, doc)
	}
	checkPage(t, ctx, "62-caseworker-item-document")
	var page string
	run(t, ctx, "location", chromedp.Location(&page))
	run(t, ctx, "open the document", chromedp.Click(`li[data-doc="`+doc+`"] [data-open-doc]`, chromedp.ByQuery),
		chromedp.WaitVisible(`li[data-doc="`+doc+`"] a.doc-link`, chromedp.ByQuery))
	var href, now string
	run(t, ctx, "the link", chromedp.AttributeValue(`li[data-doc="`+doc+`"] a.doc-link`, "href", &href, nil, chromedp.ByQuery),
		chromedp.Location(&now))
	if now != page {
		t.Errorf("opening the document left the item page: %s", now)
	}
	if code, body := fetch(t, href); code != http.StatusOK || !bytes.Equal(body, pdf) {
		t.Errorf("the document's link: %d, %d bytes, want 200 and the %d uploaded", code, len(body), len(pdf))
	}
	axe(t, ctx, "document opened (da)")
	shot(t, ctx, "63-caseworker-document-opened-da")
	var downloads int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1 AND actor = $2 AND reason->>'path' = $3`,
		"reads/"+absence, "dev:caseworker", "/api/v1/documents/"+doc+"/download").Scan(&downloads); err != nil || downloads != 1 {
		t.Errorf("the caseworker's download in the ledger: %d (%v), want 1", downloads, err)
	}
	if code := apiCall(t, devissuer.PersonaCaseworkerAarhus, http.MethodGet, "/api/v1/documents/"+doc+"/download", nil, nil); code != http.StatusNotFound {
		t.Errorf("a caseworker of Aarhus downloads København's document: %d, want 404", code)
	}
}
