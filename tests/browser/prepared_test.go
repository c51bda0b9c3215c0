package browser

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

var daMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

// daDate is d the way the app writes a date in Danish ("29. november 2026").
func daDate(d time.Time) string {
	return fmt.Sprintf("%d. %s %d", d.Day(), daMonths[d.Month()-1], d.Year())
}

// The ventefunktion (BEK 509 § 1 stk. 4) in the web app: an employer fills
// in a report, prepares it for later with a due date instead of sending it
// (the date is checked first), finds it in the overview with that date,
// opens it again at "Tjek dine svar" with every answer, changes one, sends
// it and gets the receipt. A prepared form past its deadline is flagged in
// words, its reminder reaches "Beskeder" (§ 1 stk. 3), where the e-mail and
// phone are set with field-level errors, and it is deleted after a
// confirmation. Every new page passes axe in Danish and English.
func TestPreparedFormFromCheckPageToReceipt(t *testing.T) {
	ctx := browser(t, 8*time.Minute)
	emp, ok := synth.PersonaByKey(synth.PersonaEnglish)
	if !ok {
		t.Fatal("no employee persona in the synthetic Denmark")
	}
	first := time.Now().AddDate(0, 0, -20)
	due := time.Now().AddDate(0, 0, 7)

	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	employerReportToCheck(t, ctx, emp, first, first.AddDate(-3, 0, 0), "215,50", "Lone Løn", "lone@example.dk")
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))

	// Prepare for later: the due date is required and may not have passed.
	clickMove(t, ctx, `#prepare-report`)
	if h := text(t, ctx, "main h1"); h != "Forbered til senere" {
		t.Fatalf("prepare page: %q", h)
	}
	checkPage(t, ctx, "p01-prepare")
	run(t, ctx, "save without a date", chromedp.Click(`#save-prepared`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if s := texts(t, ctx, "#error-summary li"); len(s) != 1 || !strings.Contains(s[0], "Hvornår vil du sende blanketten?") {
		t.Errorf("a missing due date: %q", s)
	}
	checkPage(t, ctx, "p02-prepare-error")
	date(t, ctx, "f-dueDate", time.Now().AddDate(0, 0, -1))
	run(t, ctx, "save a past date", chromedp.Click(`#save-prepared`, chromedp.ByQuery), chromedp.WaitVisible(`#f-dueDate-error`, chromedp.ByQuery))
	if msg := text(t, ctx, "#f-dueDate-error"); !strings.Contains(msg, "må ikke være gået") {
		t.Errorf("a due date in the past: %q", msg)
	}
	date(t, ctx, "f-dueDate", due)
	date(t, ctx, "f-deadline", due.AddDate(0, 0, 14))
	var before string
	run(t, ctx, "location", chromedp.Location(&before))
	run(t, ctx, "save", chromedp.Click(`#save-prepared`, chromedp.ByQuery))
	waitMoved(t, ctx, before)
	if h := text(t, ctx, "main h1"); h != "Blanketten er gemt til senere" {
		t.Fatalf("confirmation: %q", h)
	}
	if s := text(t, ctx, "#prepared-saved"); !strings.Contains(s, daDate(due)) {
		t.Errorf("the confirmation names the due date: %q", s)
	}
	checkPage(t, ctx, "p03-prepared-saved")

	// The overview lists it with the blanket's title and its due date.
	open(t, ctx, "/nemrefusion")
	run(t, ctx, "prepared list", chromedp.WaitVisible(`#prepared-list`, chromedp.ByQuery))
	rows := texts(t, ctx, "#prepared-list tbody tr")
	if len(rows) != 1 || !strings.Contains(rows[0], "Anmeld sygefravær og anmod om refusion") || !strings.Contains(rows[0], daDate(due)) ||
		!strings.Contains(rows[0], "Venter til") || strings.Contains(rows[0], "(!)") {
		t.Fatalf("prepared forms in the overview: %q", rows)
	}
	checkPage(t, ctx, "p04-overview-prepared")

	// Open it: "Tjek dine svar" with every answer; change one and send.
	clickMove(t, ctx, `#prepared-list a.js-open`)
	if h := text(t, ctx, "main h1"); h != "Tjek dine svar" {
		t.Fatalf("opened: %q", h)
	}
	if m := text(t, ctx, "main"); !strings.Contains(m, "Lone Løn") || !strings.Contains(m, emp.CPR.String()) || !strings.Contains(m, "215,5") ||
		!strings.Contains(text(t, ctx, "#resumed"), daDate(due)) {
		t.Errorf("the opened form must show every answer and its due date: %q", m)
	}
	checkPage(t, ctx, "p05-prepared-opened")
	clickMove(t, ctx, `a[href$="#f-contact-name"]`)
	fill(t, ctx, map[string]string{"#f-contact-name": "Lone Lønsen"})
	next(t, ctx)
	if m := text(t, ctx, "main"); !strings.Contains(m, "Lone Lønsen") || !strings.Contains(m, "Du arbejder i en forberedt blanket") {
		t.Errorf("the changed answer on the opened form: %q", m)
	}
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	run(t, ctx, "send", chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	receipt := text(t, ctx, "#receipt-number")
	if !regexp.MustCompile(`^NR-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`).MatchString(receipt) {
		t.Errorf("receipt number %q", receipt)
	}
	checkPage(t, ctx, "p06-prepared-receipt")
	open(t, ctx, "/nemrefusion")
	if s := text(t, ctx, "#prepared"); s != "Du har ingen forberedte blanketter." {
		t.Errorf("a sent form is no longer prepared: %q", s)
	}
	if row := text(t, ctx, "#absences tbody tr"); !strings.Contains(row, receipt) {
		t.Errorf("the overview lists the sent report: %q", row)
	}

	// A form prepared past its deadline: the reminder comes to "Beskeder",
	// and the overview says in words that the deadline has passed.
	var late struct {
		ID string `json:"id"`
	}
	if code := apiCall(t, devissuer.PersonaEmployer, http.MethodPost, "/api/v1/prepared", map[string]any{
		"type": events.SicknessEmployerReported, "data": map[string]any{"cpr": emp.CPR.String()},
		"dueDate": time.Now().AddDate(0, 0, -3).Format(time.DateOnly), "deadline": time.Now().AddDate(0, 0, -2).Format(time.DateOnly),
	}, &late); code != http.StatusCreated {
		t.Fatalf("prepare a late form: %d", code)
	}
	open(t, ctx, "/nemrefusion")
	if w := text(t, ctx, "#prepared-list .js-overdue"); w != "Fristen er overskredet" {
		t.Errorf("overdue status: %q", w)
	}
	if s := text(t, ctx, "#prepared-list .js-status"); !strings.Contains(s, "og er overskredet. Du kan stadig indsende den") {
		t.Errorf("the overdue notice: %q", s)
	}
	if a := text(t, ctx, "#prepared-overdue"); !strings.Contains(a, "1 forberedt blanket har overskredet fristen") {
		t.Errorf("overdue alert: %q", a)
	}
	checkPage(t, ctx, "p07-overview-overdue")
	reloadUntil(t, ctx, "/nemrefusion/beskeder", `#messages-list a[href="/nemrefusion/forberedt/`+late.ID+`"]`, 60*time.Second)
	if m := text(t, ctx, "#messages-list"); !strings.Contains(m, "En klargjort blanket kan nu indsendes") {
		t.Errorf("the reminder: %q", m)
	}
	checkPage(t, ctx, "p08-messages")
	fill(t, ctx, map[string]string{"#f-email": "ikke en adresse", "#f-phone": "1234"})
	run(t, ctx, "save bad settings", chromedp.Click(`#save-settings`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if s := texts(t, ctx, "#error-summary li"); len(s) != 2 || !strings.HasPrefix(s[0], "E-mailadresse:") || !strings.Contains(s[0], "gyldig e-mailadresse") || !strings.HasPrefix(s[1], "Mobilnummer til sms:") {
		t.Errorf("settings errors: %q", s)
	}
	if n := len(texts(t, ctx, ".form-group.form-error .form-error-message")); n != 2 {
		t.Errorf("%d field-level errors, want 2", n)
	}
	checkPage(t, ctx, "p09-settings-errors")
	fill(t, ctx, map[string]string{"#f-email": "loen@example.dk", "#f-phone": "+4512345678"})
	run(t, ctx, "save settings", chromedp.Click(`#save-settings`, chromedp.ByQuery), chromedp.WaitVisible(`#settings-saved`, chromedp.ByQuery))
	var settings map[string]string
	apiCall(t, devissuer.PersonaEmployer, http.MethodGet, "/api/v1/inbox/settings", nil, &settings)
	if settings["email"] != "loen@example.dk" || settings["phone"] != "+4512345678" {
		t.Errorf("stored settings: %v", settings)
	}

	// Sending it from the list: it holds only a CPR number, so the schema
	// refuses it, and the overview says why and where to change it.
	open(t, ctx, "/nemrefusion")
	run(t, ctx, "send from the list", chromedp.Click(`#prepared-list button.js-send`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if s := texts(t, ctx, "#error-summary li"); len(s) < 2 || !strings.HasPrefix(s[0], "Blanketten kan ikke sendes") ||
		!slices.ContainsFunc(s, func(x string) bool { return strings.HasPrefix(x, "Første fraværsdag:") }) {
		t.Errorf("an incomplete form sent from the list must name the missing answers: %q", s)
	}
	var focused string
	run(t, ctx, "focus", chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "error-summary" {
		t.Errorf("the error summary must take focus, %q has it", focused)
	}
	axe(t, ctx, "p11-overview-send-error (da)")
	shot(t, ctx, "p11-overview-send-error-da")

	// Delete it, after a confirmation.
	clickMove(t, ctx, `#prepared-list a.js-delete`)
	run(t, ctx, "confirm shown", chromedp.WaitVisible(`#confirm-delete`, chromedp.ByQuery))
	checkPage(t, ctx, "p10-delete-confirm")
	clickMove(t, ctx, `#confirm-delete`)
	if s := text(t, ctx, "#prepared-deleted"); s != "Blanketten er slettet." {
		t.Errorf("after deleting: %q", s)
	}
	if s := text(t, ctx, "#prepared"); s != "Du har ingen forberedte blanketter." {
		t.Errorf("the deleted form is still listed: %q", s)
	}
}
