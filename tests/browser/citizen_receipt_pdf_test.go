package browser

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/pdftest"
)

// Seeds/003 ("Når opgaven er udført, vil der … ligge en kopi af
// indsendelsen (kvittering)"): the receipt of an answer sent to the
// municipality is downloadable from its page in Mit Sygefravær as PDF, the
// receipt letter notify wrote. The letter is written just after the
// answer; until it is there the page says so ("Kvitteringen er ikke klar
// endnu"), in Danish and English, and the button works once it is.
func TestCitizenReceiptPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext (poppler-utils) is needed: %v", err)
	}
	absence := reportForCitizen(t, time.Now().AddDate(0, 0, -19))
	api := "/api/v1/citizen/absences/" + absence
	if code := apiCall(t, devissuer.PersonaCitizen, http.MethodPost, api+"/legal-text", map[string]bool{"acknowledged": true}, nil); code/100 != 2 {
		t.Fatalf("the legal text: %d", code)
	}
	// Agreeing with the report sends nothing; the application is sent.
	if code := apiCall(t, devissuer.PersonaCitizen, http.MethodPost, api+"/tasks/comment/answer", map[string]bool{"agree": true}, nil); code/100 != 2 {
		t.Fatalf("the comment: %d", code)
	}
	var sent struct {
		Receipt struct {
			AnswerID           string `json:"answerId"`
			SentToMunicipality bool   `json:"sentToMunicipality"`
		} `json:"receipt"`
	}
	app := map[string]any{"apply": true, "otherIncome": false, "holidayDuringAbsence": false, "employmentEnded": false}
	if code := apiCall(t, devissuer.PersonaCitizen, http.MethodPost, api+"/tasks/sygedagpenge-application/answer", app, &sent); code/100 != 2 || !sent.Receipt.SentToMunicipality {
		t.Fatalf("the application: %d %+v", code, sent)
	}
	answer := sent.Receipt.AnswerID

	ctx := browser(t, 5*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-citizen", "citizen")
	open(t, ctx, "/mit-sygefravaer/kvittering/"+absence+"/"+answer)

	// Not written yet: the receipt route answers 404 (the stand-in below
	// answers as notify does until the letter is stored).
	notYet := `(() => { if (!window.__fetch) window.__fetch = window.fetch;
		window.fetch = (u, o) => String(u).startsWith('/api/v1/receipts/')
			? Promise.resolve(new Response('{"code":"not-found"}', { status: 404, headers: { 'Content-Type': 'application/json' } }))
			: window.__fetch(u, o); return true; })()`
	var ok bool
	notReady := func(lang, button, message string) {
		t.Helper()
		if b := text(t, ctx, "#receipt-pdf"); b != button {
			t.Errorf("the PDF button says %q (%s)", b, lang)
		}
		run(t, ctx, "the letter not written yet ("+lang+")", chromedp.Evaluate(notYet, &ok), chromedp.Click(`#receipt-pdf`, chromedp.ByQuery),
			chromedp.WaitVisible(`#receipt-pdf-not-ready`, chromedp.ByQuery))
		if s := text(t, ctx, "#receipt-pdf-not-ready"); !strings.Contains(s, message) {
			t.Errorf("not ready (%s): %q", lang, s)
		}
	}
	notReady("da", "Hent kvitteringen som PDF", "Kvitteringen er ikke klar endnu. Prøv igen om lidt.")
	axe(t, ctx, "citizen receipt PDF not ready (da)")
	setLang(t, ctx, "en")
	notReady("en", "Download the receipt as PDF", "The receipt is not ready yet. Please try again shortly.")
	shot(t, ctx, "94-citizen-receipt-pdf-not-ready-en")
	setLang(t, ctx, "da")
	run(t, ctx, "the real route again", chromedp.Evaluate(`(() => { if (window.__fetch) window.fetch = window.__fetch; return true; })()`, &ok))

	f, pdf := downloadPDF(t, ctx)
	if filepath.Base(f) != "kvittering-"+answer+".pdf" {
		t.Errorf("downloaded as %s", filepath.Base(f))
	}
	for _, want := range []string{"Kvittering for dit svar", "Vi har modtaget dit svar", "Reference: " + answer} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the receipt PDF lacks %q:\n%s", want, pdf)
		}
	}
	if n := len(texts(t, ctx, "#receipt-pdf-error .alert")); n != 0 {
		t.Errorf("%d error messages left after the download", n)
	}
	checkPage(t, ctx, "95-citizen-receipt-pdf")
}

// downloadPDF presses #receipt-pdf until a file arrives (a receipt letter
// is written just after what it confirms) and returns its path and its
// text (pdftotext, runs of white space made one space).
func downloadPDF(t *testing.T, ctx context.Context) (string, string) {
	t.Helper()
	dir := downloads(t, ctx)
	var f string
	for i := 0; i < 15 && f == ""; i++ {
		run(t, ctx, "download the PDF", chromedp.Click(`#receipt-pdf`, chromedp.ByQuery))
		f = downloaded(t, dir, 2*time.Second)
	}
	if f == "" {
		var errText string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('#receipt-pdf-error')?.textContent.trim() || ''`, &errText))
		shot(t, ctx, "failure-"+sanitize(t.Name()))
		t.Fatalf("no PDF was downloaded (page says %q)", errText)
	}
	raw, _ := os.ReadFile(f)
	if !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Fatalf("the download is not a PDF: %.40q", raw)
	}
	return f, pdftest.Text(t, raw)
}
