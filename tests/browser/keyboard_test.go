package browser

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A self-employed person completes their blanket with the keyboard alone:
// Tab to every question, type, Space and arrows on radio buttons, Enter on
// the buttons, from the choice of blanket to the receipt.
func TestKeyboardOnlyCompletesAForm(t *testing.T) {
	ctx := browser(t, 3*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "self-employed")
	open(t, ctx, "/nemrefusion/ny")
	run(t, ctx, "choose form", chromedp.WaitVisible(`#choose-form`, chromedp.ByQuery))

	// The self-employed person's first blanket is their sickness report
	// (their parental leave and § 136 forms follow): Space selects it.
	var slug string
	run(t, ctx, "first option", chromedp.Evaluate(`document.querySelector('#blanket-option1')?.value || ''`, &slug))
	if slug != "selvstaendig" {
		t.Fatalf("the first blanket offered to the self-employed is %q, want the sickness report", slug)
	}
	tabTo(t, ctx, `#blanket-option1`)
	run(t, ctx, "select", press(" "))
	enterKey(t, ctx, `#choose-form button[type=submit]`)

	first := time.Now().AddDate(0, 0, -5)
	typeKeys(t, ctx, `#f-firstAbsenceDay-day`, fmt.Sprint(first.Day()))
	typeKeys(t, ctx, `#f-firstAbsenceDay-month`, fmt.Sprint(int(first.Month())))
	typeKeys(t, ctx, `#f-firstAbsenceDay-year`, fmt.Sprint(first.Year()))
	enterKey(t, ctx, `#next`)

	typeKeys(t, ctx, `#f-weeklyHours`, "40")
	// Insurance: Tab lands on the group, the arrow moves to "from day 3".
	tabTo(t, ctx, `#f-insurance-option1`)
	run(t, ctx, "choose none", press(" "))
	run(t, ctx, "arrow to day 1", press(kb.ArrowDown))
	tabTo(t, ctx, `#f-pregnancyRelated-option1`)
	run(t, ctx, "arrow to no", press(kb.ArrowDown))
	var checked bool
	run(t, ctx, "radio state", chromedp.Evaluate(`document.querySelector('#f-insurance-option2').checked && document.querySelector('#f-pregnancyRelated-option2').checked`, &checked))
	if !checked {
		t.Fatal("radio buttons did not follow the keyboard")
	}
	enterKey(t, ctx, `#next`)

	typeKeys(t, ctx, `#f-contact-name`, "Tom Tømrer")
	typeKeys(t, ctx, `#f-contact-phone`, "12345678")
	enterKey(t, ctx, `#next`)

	run(t, ctx, "check page", chromedp.WaitVisible(`#send-report`, chromedp.ByQuery))
	enterKey(t, ctx, `#send-report`)
	run(t, ctx, "receipt", chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery))
	if r := text(t, ctx, "#receipt-number"); !regexp.MustCompile(`^NR-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`).MatchString(r) {
		t.Errorf("receipt number %q", r)
	}
	shot(t, ctx, "20-keyboard-receipt")
}

// typeKeys tabs to sel and types s there, as a keyboard user would.
func typeKeys(t *testing.T, ctx context.Context, sel, s string) {
	t.Helper()
	tabTo(t, ctx, sel)
	run(t, ctx, "type into "+sel, press(s))
}

// enterKey tabs to sel, presses Enter and waits until the page moved on.
func enterKey(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	tabTo(t, ctx, sel)
	var before string
	run(t, ctx, "location", chromedp.Location(&before))
	run(t, ctx, "enter on "+sel, press(kb.Enter))
	waitMoved(t, ctx, before)
}
