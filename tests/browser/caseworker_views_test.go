package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"

	"nemrefusion.dk/events"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// Issue 20: the caseworkers' views are ones a caseworker can work with.
// An item is shown with the words of its form and schema (no schema key,
// enum values in words, dates as "3. februar 2026", amounts as
// "1.234,50 kr."), with the person's name and CPR number and the sender's
// company name; the inbox groups items per absence, newest first, pages on
// the server past 300 items and filters by type, date and read state (the
// read is the caseworker's opening of the item, in the ledger).

var cwMonths = []string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

// danishDate is d as the app writes a date in Danish: "3. februar 2026".
func cwDate(d time.Time) string {
	return fmt.Sprintf("%d. %s %d", d.Day(), cwMonths[d.Month()-1], d.Year())
}

// inboxPage is the caseworkers' inbox as the API answers it.
type inboxPage struct {
	Total    int `json:"total"`
	Items    int `json:"items"`
	Absences []struct {
		AbsenceID string `json:"absenceId"`
		Items     []struct {
			ItemID  string `json:"itemId"`
			Kind    string `json:"kind"`
			Receipt string `json:"receipt"`
		} `json:"items"`
	} `json:"absences"`
}

// inboxAPI reads recipient's inbox as caseworker with query.
func inboxAPI(t *testing.T, caseworker, recipient, query string) inboxPage {
	t.Helper()
	var p inboxPage
	if code := apiCall(t, caseworker, http.MethodGet, "/api/v1/deliveries/"+recipient+"/inbox"+query, nil, &p); code != http.StatusOK {
		t.Fatalf("the inbox of %s: %d", recipient, code)
	}
	return p
}

// answerInformationForm answers the tasks before the information form
// (legal text, comment, application) and sends the information form of
// schemas/examples (signed) for absence, as the citizen persona.
func answerInformationForm(t *testing.T, absence string) {
	t.Helper()
	base := "/api/v1/citizen/absences/" + absence
	must := func(what string, code int) {
		t.Helper()
		if code/100 != 2 {
			t.Fatalf("%s: %d", what, code)
		}
	}
	must("legal text", apiCall(t, devissuer.PersonaCitizen, http.MethodPost, base+"/legal-text", map[string]bool{"acknowledged": true}, nil))
	must("comment", apiCall(t, devissuer.PersonaCitizen, http.MethodPost, base+"/tasks/comment/answer", map[string]any{"agree": true}, nil))
	must("application", apiCall(t, devissuer.PersonaCitizen, http.MethodPost, base+"/tasks/sygedagpenge-application/answer",
		map[string]any{"apply": true, "otherIncome": false, "holidayDuringAbsence": false, "employmentEnded": false}, nil))
	sections := []struct {
		name    string
		answers map[string]any
	}{
		{"illness", map[string]any{"cause": "mental", "description": "Stress efter lang tids travlhed.", "seriousIllness": false, "hospitalised": false}},
		{"injury", map[string]any{"workInjury": false, "personalInjury": false}},
		{"position", map[string]any{"jobTitle": "Lagermedarbejder", "education": "vocational", "educationDetails": "Lager- og logistikuddannelsen"}},
		{"backToWork", map[string]any{"targetDate": time.Now().AddDate(0, 1, 0).Format(time.DateOnly), "backByTargetDate": "no", "reasonNotReturning": "Jeg skal først have behandling.",
			"partialResumptionPossible": true, "returnToOwnWorkplace": true}},
		{"treatment", map[string]any{"inTreatment": true, "places": []map[string]any{{"kind": "psychologist", "name": "Psykologhuset"}}, "awaitingOperation": false}},
		{"workplace", map[string]any{"affectedWorkSince": "1-3-months", "partialResumptionAnswer": "Jeg kan arbejde 10 timer om ugen.", "retentionPlanMade": false, "medicalCertificateForEmployer": false}},
		{"contact", map[string]any{"phone": "+4512345678", "workplaceContact": map[string]any{"name": "Lone Løn", "phone": "+4587654321", "email": "loen@example.dk"}}},
		{"consents", map[string]any{"healthInformation": true, "registerMatching": true}},
	}
	for _, s := range sections {
		var out map[string]any
		code := apiCall(t, devissuer.PersonaCitizen, http.MethodPut, base+"/information-form/sections/"+s.name, map[string]any{"answers": s.answers, "next": true}, &out)
		must("information form section "+s.name, code)
	}
	must("send the information form", apiCall(t, devissuer.PersonaCitizen, http.MethodPost, base+"/information-form/submit", map[string]any{}, nil))
}

// noSchemaKeys fails for every schema key or raw value the text shows.
func noSchemaKeys(t *testing.T, what, text string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if regexp.MustCompile(`(^|[^\p{L}])` + regexp.QuoteMeta(k) + `($|[^\p{L}])`).MatchString(text) {
			t.Errorf("%s shows %q: %s", what, k, text)
		}
	}
}

// A caseworker of København opens the employer's report and the citizen's
// information form of one absence: both are labelled with the forms'
// words, grouped by section, enum values in words, dates and amounts
// formatted, with the person's name and CPR and the employer's name.
func TestCaseworkerViewsLabelledItems(t *testing.T) {
	first := time.Now().AddDate(0, 0, -6)
	absence := reportForCitizen(t, first)
	answerInformationForm(t, absence)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	cpr := emp.CPR.String()[:6] + "-" + emp.CPR.String()[6:]

	// The information form reaches the inbox as the citizen's answer.
	var formItem string
	deadline := time.Now().Add(60 * time.Second)
	for formItem == "" {
		for _, a := range inboxAPI(t, devissuer.PersonaCaseworker, "101", "?kind=citizen.answer&limit=100").Absences {
			if a.AbsenceID == absence {
				for _, it := range a.Items {
					if strings.Contains(it.ItemID, "information-form") {
						formItem = it.ItemID
					}
				}
			}
		}
		if formItem == "" && time.Now().After(deadline) {
			t.Fatal("the information form never reached København's inbox")
		}
		time.Sleep(500 * time.Millisecond)
	}

	ctx := browser(t, 6*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-caseworker", "caseworker")
	group := `#inbox-table tbody[data-absence="` + absence + `"]`
	reloadUntil(t, ctx, "/sagsbehandler", group+` tr[data-item="`+absence+`/sickness.report/1"]`, 45*time.Second)
	if h := text(t, ctx, group+" .inbox-person"); h != "Lars Jensen, CPR-nr. "+cpr {
		t.Errorf("the absence's person in the inbox: %q", h)
	}
	if r := text(t, ctx, group+` tr[data-item="`+absence+`/sickness.report/1"]`); !strings.Contains(r, "Anmeldelse af sygefravær") || !strings.Contains(r, "(CVR 30000005)") ||
		strings.HasPrefix(strings.TrimSpace(strings.Split(r, "(CVR")[0]), "CVR") || !strings.Contains(r, "Ulæst") {
		t.Errorf("the report's row: %q", r)
	}
	checkPage(t, ctx, "64-caseworker-inbox-grouped")

	// The employer's report.
	clickMove(t, ctx, group+` tr[data-item="`+absence+`/sickness.report/1"] a`)
	if p := text(t, ctx, "#item-person"); p != "Lars Jensen, CPR-nr. "+cpr {
		t.Errorf("the report's person: %q", p)
	}
	if s := text(t, ctx, "#item-sender"); !strings.HasSuffix(s, "(CVR 30000005)") || strings.HasPrefix(s, "CVR") {
		t.Errorf("the report's sender (the company's name from CVR): %q", s)
	}
	report := cells(t, ctx, "#item-content")
	for _, want := range []string{
		"Første fraværsdag: " + cwDate(first),
		"Timefortjeneste før AM-bidrag: 215,50 kr.",
		"Udbetaler I løn under fraværet?: Nej",
		"Forventer I, at medarbejderen vender tilbage?: Ja",
		"Normal arbejdstid pr. uge: 37 timer",
		"Ansat siden: 1. februar 2018",
		"Medarbejderens CPR-nummer: " + cpr,
		"Navn: Lone Løn",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not show %q:\n%s", want, report)
		}
	}
	if h := texts(t, ctx, "#item-content h3"); len(h) < 3 || h[0] != "Medarbejderen" {
		t.Errorf("the report's sections: %q", h)
	}
	noSchemaKeys(t, "the report", report, "firstAbsenceDay", "hourlyEarnings", "wagesPaid", "retention", "expectsReturn", "cvr", "pNumber", "true", "false", "2018-02-01", "Oplysning")
	checkPage(t, ctx, "65-caseworker-employer-report")

	// The information form.
	open(t, ctx, "/sagsbehandler/post/"+strings.Join(func() []string {
		parts := strings.Split(formItem, "/")
		for i, p := range parts {
			parts[i] = url.PathEscape(p)
		}
		return parts
	}(), "/"))
	if h := text(t, ctx, "main h1"); h != "Svar fra borgeren: Oplysningsskema" {
		t.Errorf("the information form's heading: %q", h)
	}
	if p := text(t, ctx, "#item-person"); p != "Lars Jensen, CPR-nr. "+cpr {
		t.Errorf("the information form's person: %q", p)
	}
	if s := text(t, ctx, "#item-sender"); s != "Borgeren (Mit Sygefravær)" {
		t.Errorf("the information form's sender: %q", s)
	}
	form := cells(t, ctx, "#item-content")
	for _, want := range []string{": Psykisk sygdom", ": Nej", ": Erhvervsuddannelse", ": Psykolog", ": 1–3 måneder", ": Lone Løn"} {
		if !strings.Contains(form, want) {
			t.Errorf("the information form does not show %q:\n%s", want, form)
		}
	}
	// The target date (the form sets it 8 weeks after the first day) in words.
	if !regexp.MustCompile(`Datoen 8 uger efter din første fraværsdag: \d{1,2}\. (` + strings.Join(cwMonths, "|") + `) \d{4}`).MatchString(form) {
		t.Errorf("the information form's target date is not a date in words:\n%s", form)
	}
	noSchemaKeys(t, "the information form", form, "illness", "cause", "mental", "backToWork", "backByTargetDate", "vocational", "psychologist", "1-3-months", "true", "false", "Oplysning")
	if h := texts(t, ctx, "#item-content h3"); len(h) < 6 {
		t.Errorf("the information form's sections: %q", h)
	}
	checkPage(t, ctx, "66-caseworker-information-form")
	setLang(t, ctx, "en")
	if en := cells(t, ctx, "#item-content"); !strings.Contains(en, ": Mental illness") || strings.Contains(en, "mental\n") {
		t.Errorf("the information form in English:\n%s", en)
	}
	setLang(t, ctx, "da")

	// Opened items are read; the inbox says so and filters on it.
	open(t, ctx, "/sagsbehandler?read=read")
	if r := text(t, ctx, group+` tr[data-item="`+absence+`/sickness.report/1"]`); !strings.Contains(r, "Læst") || strings.Contains(r, "Ulæst") {
		t.Errorf("the opened report in the read filter: %q", r)
	}
	open(t, ctx, "/sagsbehandler?read=unread")
	var shown bool
	run(t, ctx, "opened rows among the unread", chromedp.Evaluate(`!!document.querySelector('#inbox-table tr[data-item="`+absence+`/sickness.report/1"]')`, &shown))
	if shown {
		t.Error("the opened report is listed among the unread")
	}
}

// A municipality's inbox past 300 items (Aarhus: two of its residents get
// 153 reports each, through the API as the employer sends them, and one
// more last): the newest report is the first row (the web inbox used to
// read the oldest 20,000 items and show the last 200 of those), the last
// page is reached through DKFDS pagination with the oldest report, and the
// filters by type, date and read state narrow the list on the server.
func TestCaseworkerViewsInboxPast300Items(t *testing.T) {
	seeded := len(seedReports(t, []string{synth.PersonaNemSMS, synth.PersonaFailsTotalHours}, 153))
	deadline := time.Now().Add(3 * time.Minute)
	for inboxAPI(t, devissuer.PersonaCaseworkerAarhus, "751", "?limit=1").Items < seeded {
		if time.Now().After(deadline) {
			t.Fatalf("the %d reports never all reached Aarhus' inbox", seeded)
		}
		time.Sleep(time.Second)
	}
	// The newest: one more report once the others are in the inbox (a day
	// the seeded reports do not use).
	newest := reportAs(t, synth.PersonaNemSMS, time.Now().AddDate(0, 0, -1))
	for {
		p := inboxAPI(t, devissuer.PersonaCaseworkerAarhus, "751", "?limit=1")
		if p.Items > 300 && len(p.Absences) == 1 && p.Absences[0].Items[0].Receipt == newest {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Aarhus' inbox has %d items; the newest shown is %+v, want receipt %s", p.Items, p.Absences, newest)
		}
		time.Sleep(time.Second)
	}
	all := inboxAPI(t, devissuer.PersonaCaseworkerAarhus, "751", "")

	ctx := browser(t, 5*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-caseworker", "caseworker-aarhus")
	if h := text(t, ctx, "main h1"); h != "Kommunens indbakke" {
		t.Fatalf("after login: %q", h)
	}
	rows := texts(t, ctx, "#inbox-table tbody tr[data-item]")
	if len(rows) == 0 || !strings.Contains(rows[0], newest) {
		t.Fatalf("the first row is not the newest report %s: %q", newest, rows[:min(3, len(rows))])
	}
	count := text(t, ctx, "#inbox-count")
	if want := fmt.Sprintf("af %d (%d poster i alt)", all.Total, all.Items); !strings.Contains(count, want) || !strings.HasPrefix(count, "Viser fravær 1–20") {
		t.Errorf("the count: %q, want …%s", count, want)
	}
	checkPage(t, ctx, "67-caseworker-inbox-300")

	// The last page, through the pagination.
	pages := (all.Total + 19) / 20
	clickMove(t, ctx, fmt.Sprintf(`#inbox-pages a[aria-label="Side %d"]`, pages))
	last := texts(t, ctx, "#inbox-table tbody tr[data-item]")
	oldest := all.Absences[len(all.Absences)-1]
	if len(all.Absences) < all.Total {
		// The API's default page is 20 absences: the oldest is on its last page.
		p := inboxAPI(t, devissuer.PersonaCaseworkerAarhus, "751", fmt.Sprintf("?offset=%d&limit=20", (pages-1)*20))
		oldest = p.Absences[len(p.Absences)-1]
	}
	if len(last) == 0 || !strings.Contains(strings.Join(last, "\n"), oldest.Items[len(oldest.Items)-1].Receipt) {
		t.Errorf("the last page (%d) does not show the oldest report %s: %q", pages, oldest.Items[len(oldest.Items)-1].Receipt, last)
	}
	if c := text(t, ctx, "#inbox-count"); !strings.HasPrefix(c, fmt.Sprintf("Viser fravær %d–%d af %d", (pages-1)*20+1, all.Total, all.Total)) {
		t.Errorf("the last page's count: %q", c)
	}

	// Filters: by type (a kind with no items, then reports), by date and
	// by read state.
	open(t, ctx, "/sagsbehandler")
	run(t, ctx, "filter by type", chromedp.SetValue(`#filter-kind`, "citizen.documentation", chromedp.ByQuery))
	clickMove(t, ctx, "#filter-submit")
	if e := text(t, ctx, "#inbox-empty"); e != "Ingen poster passer til filtrene." {
		t.Errorf("no documentation: %q", e)
	}
	checkPage(t, ctx, "68-caseworker-inbox-filtered-empty")
	run(t, ctx, "filter by type", chromedp.SetValue(`#filter-kind`, "sickness.report", chromedp.ByQuery))
	clickMove(t, ctx, "#filter-submit")
	if c := text(t, ctx, "#inbox-count"); !strings.Contains(c, fmt.Sprintf("af %d", all.Total)) {
		t.Errorf("reports only: %q", c)
	}
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	open(t, ctx, "/sagsbehandler?kind=sickness.report&from="+tomorrow)
	if e := text(t, ctx, "#inbox-empty"); e != "Ingen poster passer til filtrene." {
		t.Errorf("received from tomorrow: %q", e)
	}
	var from string
	run(t, ctx, "the date filter kept", chromedp.Value(`#filter-from`, &from, chromedp.ByQuery))
	if from != tomorrow {
		t.Errorf("the from date in the filter: %q, want %s", from, tomorrow)
	}
	open(t, ctx, "/sagsbehandler?read=unread")
	before := text(t, ctx, "#inbox-count")
	clickMove(t, ctx, `#inbox-table tbody tr[data-item] a`)
	open(t, ctx, "/sagsbehandler?read=read")
	if r := texts(t, ctx, "#inbox-table tbody tr[data-item]"); len(r) != 1 || !strings.Contains(r[0], newest) || !strings.Contains(r[0], "Læst") {
		t.Errorf("read: %q", r)
	}
	open(t, ctx, "/sagsbehandler?read=unread")
	if after := text(t, ctx, "#inbox-count"); after == before {
		t.Errorf("the unread count did not change after opening an item: %q", after)
	}
	checkPage(t, ctx, "69-caseworker-inbox-unread")
}

// reportAs posts, as the demo employer, a sickness report for the
// employee persona from first and returns its receipt.
func reportAs(t *testing.T, persona string, first time.Time) string {
	t.Helper()
	p, ok := synth.PersonaByKey(persona)
	if !ok {
		t.Fatalf("no persona %s", persona)
	}
	data := events.SicknessEmployerReport{CPR: p.CPR.String(), CVR: p.CVR.String(), PNumber: p.PNumber.String(),
		FirstAbsenceDay: first.Format(time.DateOnly), WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 215.5,
		EmployedSince: "2018-02-01", Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Lone Løn"}}
	ev, _ := json.Marshal(map[string]any{"specversion": "1.0", "type": events.SicknessEmployerReported, "source": "/browser-test/newest", "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data})
	var rc struct {
		Receipt string `json:"receipt"`
	}
	if code := apiCall(t, devissuer.PersonaEmployer, http.MethodPost, "/api/v1/events", string(ev), &rc); code != http.StatusAccepted || rc.Receipt == "" {
		t.Fatalf("the report for %s: %d", persona, code)
	}
	return rc.Receipt
}

// openMenu opens DKFDS's mobile menu and waits until it has slid in (a
// click during the animation would land on the overlay and close it).
func openMenu(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "open the menu", chromedp.Click(`.js-menu-open`, chromedp.ByQuery), chromedp.WaitVisible(`.mobile-drawer.is-visible .navigation-menu-mobile`, chromedp.ByQuery),
		chromedp.Poll(`document.getAnimations().length === 0`, nil, chromedp.WithPollingInterval(50*time.Millisecond)))
}

// viewShot writes a screenshot of the viewport only to
// tests/screenshots/<name>.png: a full-page one lays the page out again at
// its full height, a resize on which DKFDS closes an open mobile menu.
func viewShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.CaptureScreenshot(&png)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join("..", "screenshots", name+".png"), png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// At 390 px (a phone) the header's navigation, language switch and "Log
// af" are in DKFDS's mobile menu: the "Menu" button opens the drawer
// (focus in it, axe-clean), the language is switched there, and the
// caseworker logs off from it.
func TestMobileHeaderMenu(t *testing.T) {
	ctx := browser(t, 3*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-caseworker", "caseworker")
	run(t, ctx, "phone width", chromedp.EmulateViewport(390, 844))
	open(t, ctx, "/sagsbehandler")
	var desktopHidden, buttonShown bool
	run(t, ctx, "the header at 390 px", chromedp.Evaluate(`(() => { const v = (s) => { const e = document.querySelector(s); return !!e && e.getBoundingClientRect().width > 0; };
		return [!v('.portal-user .log-off') && !v('.navigation-menu .mainmenu'), v('.js-menu-open')]; })()`, &[]any{&desktopHidden, &buttonShown}))
	if !buttonShown {
		t.Fatal("no menu button at 390 px")
	}
	if !desktopHidden {
		t.Error("at 390 px the wide header's menu and log-off are shown (DKFDS hides them below 992 px)")
	}
	shot(t, ctx, "90-mobile-header-da")
	openMenu(t, ctx)
	var focused string
	run(t, ctx, "focus", chromedp.Evaluate(`document.activeElement.className`, &focused))
	if !strings.Contains(focused, "js-menu-close") {
		t.Errorf("the open menu's focus is on %q, want its close button", focused)
	}
	if m := text(t, ctx, ".mobile-drawer"); !strings.Contains(m, "Indbakke") || !strings.Contains(m, "Log af") || !strings.Contains(m, "English") {
		t.Errorf("the mobile menu: %q", m)
	}
	axe(t, ctx, "mobile menu (da)")
	viewShot(t, ctx, "91-mobile-menu-da")

	run(t, ctx, "switch to English in the menu", chromedp.Click(`.mobile-drawer .language-switcher-mobile a[data-lang="en"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[lang="en"]`, chromedp.ByQuery), waitPage())
	var open bool
	run(t, ctx, "the menu after the switch", chromedp.Evaluate(`document.body.classList.contains('mobile-nav-active') || !!document.querySelector('.mobile-drawer.is-visible')`, &open))
	if open {
		t.Error("the menu stays open over the redrawn page after the language switch")
	}
	if h := text(t, ctx, "main h1"); h != "The municipality’s inbox" {
		t.Errorf("after switching to English: %q", h)
	}
	openMenu(t, ctx)
	if m := text(t, ctx, ".mobile-drawer"); !strings.Contains(m, "Log out") || !strings.Contains(m, "Inbox") {
		t.Errorf("the mobile menu in English: %q", m)
	}
	axe(t, ctx, "mobile menu (en)")
	viewShot(t, ctx, "92-mobile-menu-en")
	run(t, ctx, "close with Escape", chromedp.KeyEvent(kb.Escape))
	run(t, ctx, "the menu closed", chromedp.WaitNotPresent(`.mobile-drawer.is-visible`, chromedp.ByQuery))
	openMenu(t, ctx)
	run(t, ctx, "log out from the menu", chromedp.Click(`.mobile-drawer .portal-info-mobile .log-off`, chromedp.ByQuery), waitPage())
	if h := text(t, ctx, "main h1"); h != "You are logged out" {
		t.Errorf("after logging out from the menu: %q", h)
	}
	setLang(t, ctx, "da")
	checkPage(t, ctx, "93-mobile-logged-out")
}
