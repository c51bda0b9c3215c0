package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A citizen logs in to Mit Sygefravær (Borger.dk theme) and sees Mit
// forløb with its task counter; the session-timeout warning appears before
// the token ends and logs the citizen off on request.
func TestCitizenMyCaseAndSessionTimeout(t *testing.T) {
	ctx := browser(t, 3*time.Minute)
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
	run(t, ctx, "task counter", chromedp.WaitVisible(`#task-counter`, chromedp.ByQuery))
	if !strings.Contains(text(t, ctx, "footer"), "databeskyttelsesrådgiver") {
		t.Error("every page of Mit Sygefravær names the municipality's DPO")
	}
	checkPage(t, ctx, "30-citizen-my-case")

	// The token is made to end in 90 seconds: within the warning time.
	run(t, ctx, "shorten the session", chromedp.Evaluate(`(() => { const s = JSON.parse(sessionStorage.getItem('nr.session'));
		s.expiresAt = Date.now() + 90000; sessionStorage.setItem('nr.session', JSON.stringify(s)); })()`, nil),
		chromedp.WaitVisible(`#session-modal[aria-hidden="false"] .modal-title`, chromedp.ByQuery))
	var focused string
	run(t, ctx, "focus", chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "session-modal-heading" {
		t.Errorf("the warning must take focus, %q has it", focused)
	}
	axe(t, ctx, "session warning (da)")
	shot(t, ctx, "31-session-warning-da")
	run(t, ctx, "log off from the warning", chromedp.Click(`#session-modal [data-action="logout"]`, chromedp.ByQuery), waitPage())
	if h := text(t, ctx, "main h1"); h != "Du er logget af" {
		t.Errorf("after the warning: %q", h)
	}
}

// A caseworker of København sees the municipality's inbox.
func TestCaseworkerInbox(t *testing.T) {
	ctx := browser(t, 2*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-caseworker", "caseworker")
	if h := text(t, ctx, "main h1"); h != "Kommunens indbakke" {
		t.Fatalf("after login: %q", h)
	}
	checkPage(t, ctx, "40-caseworker-inbox")
}
