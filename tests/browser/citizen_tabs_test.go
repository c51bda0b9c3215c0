package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
)

// deliveredItem waits until the municipality's delivery stream (read as
// its caseworker) has an item whose id starts with prefix, and returns it.
func deliveredItem(t *testing.T, recipient, prefix string, within time.Duration) events.DeliveryItemData {
	t.Helper()
	caseworker := map[string]string{"101": devissuer.PersonaCaseworker, "751": devissuer.PersonaCaseworkerAarhus}[recipient]
	deadline := time.Now().Add(within)
	for {
		after := "0"
		for range 50 {
			var page struct {
				Items  []events.DeliveryItemData `json:"items"`
				Cursor string                    `json:"cursor"`
				More   bool                      `json:"more"`
			}
			if code := apiCall(t, caseworker, http.MethodGet, "/api/v1/deliveries/"+recipient+"?limit=1000&after="+after, nil, &page); code != http.StatusOK {
				t.Fatalf("the municipality's items: %d", code)
			}
			for _, it := range page.Items {
				if strings.HasPrefix(it.ItemID, prefix) {
					return it
				}
			}
			if !page.More {
				break
			}
			after = page.Cursor
		}
		if time.Now().After(deadline) {
			t.Fatalf("no item %s… reached municipality %s", prefix, recipient)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// chooseOwnAbsence picks absence on a Mit Sygefravær form when the person
// has more than one (other tests of the package report for the same
// citizen); with one, the form names it.
func chooseOwnAbsence(t *testing.T, ctx context.Context, absence string) {
	t.Helper()
	var radios int
	run(t, ctx, "absences", chromedp.Evaluate(`document.querySelectorAll('input[name="absence"][type="radio"]').length`, &radios))
	if radios == 0 {
		var v string
		run(t, ctx, "the one absence", chromedp.Evaluate(`document.querySelector('input[name="absence"]').value`, &v))
		if v != absence {
			t.Fatalf("the form is for absence %s, want %s", v, absence)
		}
		return
	}
	run(t, ctx, "choose the absence", chromedp.Click(`input[name="absence"][value="`+absence+`"] + label`, chromedp.ByQuery))
}

// sendAndReceipt presses "Underskriv og send" and returns the answer id of
// the receipt page reached.
func sendAndReceipt(t *testing.T, ctx context.Context, absence string) string {
	t.Helper()
	var before string
	run(t, ctx, "location", chromedp.Location(&before))
	run(t, ctx, "sign and send", chromedp.Click(`#cz-send`, chromedp.ByQuery))
	waitMoved(t, ctx, before)
	run(t, ctx, "receipt", chromedp.WaitVisible(`#cz-receipt`, chromedp.ByQuery))
	var loc string
	run(t, ctx, "location", chromedp.Location(&loc))
	prefix := "/mit-sygefravaer/kvittering/" + absence + "/"
	i := strings.Index(loc, prefix)
	if i < 0 {
		t.Fatalf("the receipt is at %s, want %s…", loc, prefix)
	}
	return loc[i+len(prefix):]
}

// A citizen whose employer reported an absence (partial resumption
// possible) uses the tabs "Delvist genoptaget arbejde" and "Meld dig rask"
// of Mit Sygefravær (seeds/003): hours and minutes worked per week, then the
// last day of absence, each signed and sent to a receipt. Both answers
// reach the municipality (the caseworker reads them in the delivery
// stream); after the recovery the absence is no longer active, so neither
// is offered again (sygedagpengeloven § 7 and § 8: sickness benefit is for
// the days of incapacity; a partial resumption reduces it, recovery ends
// it). A login too old to sign asks for a new one and keeps the answer.
// Every new page state passes axe in Danish and English.
func TestCitizenTabsPartialResumptionAndRecovery(t *testing.T) {
	first := time.Now().AddDate(0, 0, -16)
	absence := reportForCitizen(t, first)
	// A second, later absence is listed before it: the forms must keep
	// the one chosen.
	reportForCitizen(t, time.Now().AddDate(0, 0, -5))
	ctx := browser(t, 8*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-citizen", "citizen")

	// Delvist genoptaget arbejde: the first week is this week's Monday.
	clickMove(t, ctx, `.tab-list a[href="/mit-sygefravaer/delvist-genoptaget"]`)
	if h := text(t, ctx, "main h1"); h != "Delvist genoptaget arbejde" {
		t.Fatalf("the partial resumption tab: %q", h)
	}
	run(t, ctx, "the form", chromedp.WaitVisible(`#f-weeks-0-hours`, chromedp.ByQuery))
	checkPage(t, ctx, "70-citizen-partial-form")
	var monday string
	run(t, ctx, "the week", chromedp.Value(`#f-weeks-0-weekStart`, &monday, chromedp.ByQuery))
	m := time.Now()
	for m.Weekday() != time.Monday {
		m = m.AddDate(0, 0, -1)
	}
	if want := m.Format(time.DateOnly); monday != want {
		t.Errorf("the first week is %s, want this week's Monday %s", monday, want)
	}
	// A second week, added with its button before anything is sent: the
	// first week's answers and the absence chosen are kept, and the new
	// week is empty, not wrong (no errors until the person sends).
	fill(t, ctx, map[string]string{"#f-weeks-0-hours": "15", "#f-weeks-0-minutes": "30"})
	chooseOwnAbsence(t, ctx, absence)
	run(t, ctx, "add a week", chromedp.Click(`#add-week`, chromedp.ByQuery), chromedp.WaitVisible(`#f-weeks-1-hours`, chromedp.ByQuery), waitPage())
	var kept, chosen string
	run(t, ctx, "kept", chromedp.Value(`#f-weeks-0-hours`, &kept, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('input[name="absence"]:checked').value`, &chosen))
	if kept != "15" || chosen != absence {
		t.Errorf("adding a week lost the hours of the first (%q) or the absence chosen (%s, want %s)", kept, chosen, absence)
	}
	if n := len(texts(t, ctx, "#error-summary li, .form-error-message")); n != 0 {
		t.Errorf("a week just added shows %d errors: %q", n, texts(t, ctx, "#error-summary li"))
	}
	checkPage(t, ctx, "71-citizen-partial-two-weeks")
	// Sent with the second week empty: its Monday and hours are required.
	run(t, ctx, "send with an empty week", chromedp.Click(`#cz-send`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if errs := texts(t, ctx, "#error-summary li"); len(errs) != 2 || !strings.Contains(errs[0], "Uge 2: mandag i ugen") || !strings.Contains(errs[1], "Uge 2: timer arbejdet") {
		t.Errorf("errors of the partial resumption with an empty week: %q", errs)
	}
	checkPage(t, ctx, "72-citizen-partial-errors")
	// The week picker lists the weeks since the first absence day.
	run(t, ctx, "choose last week", chromedp.SetValue(`#f-weeks-1-weekStart`, m.AddDate(0, 0, -7).Format(time.DateOnly), chromedp.ByQuery))
	fill(t, ctx, map[string]string{"#f-weeks-1-hours": "8"})
	answer := sendAndReceipt(t, ctx, absence)
	if r := cells(t, ctx, "#receipt-table"); !strings.Contains(r, "Underskrevet: Ja") || !strings.Contains(r, "Sendt til kommunen: Ja") {
		t.Errorf("partial resumption receipt: %q", r)
	}
	checkPage(t, ctx, "73-citizen-partial-receipt")
	it := deliveredItem(t, "101", absence+"/partial-resumption/"+answer, 60*time.Second)
	var partial struct {
		Kind   string `json:"kind"`
		Answer struct {
			Weeks []struct {
				WeekStart string `json:"weekStart"`
				Hours     int    `json:"hours"`
				Minutes   int    `json:"minutes"`
			} `json:"weeks"`
		} `json:"answer"`
	}
	if err := json.Unmarshal(it.Payload, &partial); err != nil {
		t.Fatal(err)
	}
	w := partial.Answer.Weeks
	if partial.Kind != "partial-resumption" || len(w) != 2 || w[0].WeekStart != m.Format(time.DateOnly) || w[0].Hours != 15 || w[0].Minutes != 30 ||
		w[1].WeekStart != m.AddDate(0, 0, -7).Format(time.DateOnly) || w[1].Hours != 8 || w[1].Minutes != 0 {
		t.Errorf("the municipality got the partial resumption %s", it.Payload)
	}

	// Meld dig rask: the last day is required, then sent.
	open(t, ctx, "/mit-sygefravaer")
	clickMove(t, ctx, `.tab-list a[href="/mit-sygefravaer/meld-dig-rask"]`)
	if h := text(t, ctx, "main h1"); h != "Meld dig rask" {
		t.Fatalf("the recovery tab: %q", h)
	}
	run(t, ctx, "the form", chromedp.WaitVisible(`#f-lastAbsenceDay-day`, chromedp.ByQuery))
	checkPage(t, ctx, "74-citizen-recovery-form")
	chooseOwnAbsence(t, ctx, absence)
	run(t, ctx, "send without a day", chromedp.Click(`#cz-send`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if errs := texts(t, ctx, "#error-summary li"); len(errs) != 1 || !strings.Contains(errs[0], "Sidste fraværsdag") {
		t.Errorf("errors of the recovery without a day: %q", errs)
	}
	checkPage(t, ctx, "75-citizen-recovery-errors")
	last := time.Now().AddDate(0, 0, -1)
	date(t, ctx, "f-lastAbsenceDay", last)
	// A login older than AUTH_SIGNING_MAX_AGE cannot sign: the form asks
	// for a new login, and after it the answer is still there.
	ageLogin(t, ctx)
	run(t, ctx, "send with an old login", chromedp.Click(`#cz-send`, chromedp.ByQuery), chromedp.WaitVisible(`#resign`, chromedp.ByQuery))
	if s := text(t, ctx, "#resign"); !strings.Contains(s, "Du skal logge ind igen for at underskrive") || !strings.Contains(s, "dine svar er gemt") {
		t.Errorf("the request to log in again: %q", s)
	}
	var focused string
	run(t, ctx, "focus", chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "resign" {
		t.Errorf("the request to log in again must take focus, %q has it", focused)
	}
	axe(t, ctx, "citizen fresh login asked (da)")
	shot(t, ctx, "77-citizen-recovery-fresh-login-da")
	run(t, ctx, "log in again",
		chromedp.Click(`#resign button[data-action="login"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#persona-citizen`, chromedp.ByQuery),
		chromedp.Click(`#persona-citizen`, chromedp.ByQuery),
		chromedp.Click(`button[type="submit"]:not([name])`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-lastAbsenceDay-day`, chromedp.ByQuery), waitPage())
	var day string
	run(t, ctx, "kept", chromedp.Value(`#f-lastAbsenceDay-day`, &day, chromedp.ByQuery))
	if day != fmt.Sprint(last.Day()) {
		t.Errorf("after the new login the last day is %q, want %d", day, last.Day())
	}
	answer = sendAndReceipt(t, ctx, absence)
	if r := cells(t, ctx, "#receipt-table"); !strings.Contains(r, "Opgave: Raskmelding") || !strings.Contains(r, "Underskrevet: Ja") || !strings.Contains(r, "Sendt til kommunen: Ja") {
		t.Errorf("recovery receipt: %q", r)
	}
	checkPage(t, ctx, "76-citizen-recovery-receipt")
	it = deliveredItem(t, "101", absence+"/recovery/"+answer, 60*time.Second)
	var rec struct {
		Kind   string `json:"kind"`
		Answer struct {
			LastAbsenceDay string `json:"lastAbsenceDay"`
		} `json:"answer"`
	}
	if err := json.Unmarshal(it.Payload, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Kind != "recovery" || rec.Answer.LastAbsenceDay != last.Format(time.DateOnly) {
		t.Errorf("the municipality got the recovery %s", it.Payload)
	}

	// Recovered: the absence offers neither again, and both receipts are listed.
	var a struct {
		Active bool `json:"active"`
		Offers struct {
			Recovery          bool   `json:"recovery"`
			PartialResumption string `json:"partialResumption"`
		} `json:"offers"`
		Receipts []struct {
			AnswerID string `json:"answerId"`
		} `json:"receipts"`
	}
	if code := apiCall(t, devissuer.PersonaCitizen, http.MethodGet, "/api/v1/citizen/absences/"+absence, nil, &a); code != http.StatusOK {
		t.Fatalf("the absence: %d", code)
	}
	if a.Active || a.Offers.Recovery || a.Offers.PartialResumption != "" || len(a.Receipts) != 2 {
		t.Errorf("after the recovery: active %v, offers %+v, %d receipts (want inactive, none, 2)", a.Active, a.Offers, len(a.Receipts))
	}
}
