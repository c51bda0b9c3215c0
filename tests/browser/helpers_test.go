package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

// axeSource is axe-core from npm (functions/portal/vendor.sh copies it
// here), injected into the page under test: nothing is fetched at run time.
//
//go:embed testdata/axe.min.js
var axeSource string

// wcagTags are the rules axe runs: WCAG 2.0 and 2.1, levels A and AA.
var wcagTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// browser starts a fresh headless Chromium (own profile) and returns a tab
// context that lives for the test. Every action is bounded by timeout.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	// A fresh profile per browser, removed after Chromium (and the helper
	// processes it leaves behind for a moment) are gone.
	profile, err := os.MkdirTemp("", "nr-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// Console errors of the app fail the test: they are bugs.
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			t.Errorf("uncaught exception in the page: %s", e.ExceptionDetails.Error())
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				t.Logf("console %s: %s", e.Type, strings.Join(args, " "))
			}
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs actions and fails the test on error.
// Each call gets at most 45 seconds, so a wait that can never end fails
// the test with its name instead of hanging.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Run(rctx, actions...); err != nil {
		var url string
		_ = chromedp.Run(ctx, chromedp.Location(&url))
		shot(t, ctx, "failure-"+sanitize(t.Name()))
		t.Fatalf("%s (at %s): %v", what, url, err)
	}
}

// pick clicks the label of a DKFDS radio button or checkbox (the input
// itself is visually replaced by its label's styling).
func pick(id string) chromedp.Action {
	return chromedp.Click(`label[for="`+id+`"]`, chromedp.ByQuery)
}

func sanitize(s string) string { return regexp.MustCompile(`[^a-zA-Z0-9-]+`).ReplaceAllString(s, "-") }

// shot writes a full-page screenshot to tests/screenshots/<name>.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join("..", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("screenshot dir: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// open loads a path of the app and waits for its heading.
func open(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	run(t, ctx, "open "+path, chromedp.Navigate(stack.Get().URL()+path), waitPage())
}

// waitPage waits until the app has drawn a page: a main heading and no
// "loading" placeholder.
func waitPage() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ready bool
			err := chromedp.Evaluate(`(() => { const h = document.querySelector('main h1');
				const loading = [...document.querySelectorAll('main p')].some(p => /^(Henter|Loading) …$/.test(p.textContent.trim()) && !p.closest('#preview-box'));
				return !!h && !loading && document.readyState === 'complete'; })()`, &ready).Do(ctx)
			if err != nil {
				return err
			}
			if ready {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axe injects axe-core and reports every WCAG 2.1 A/AA violation of the
// current page as a test error, naming the page.
func axe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var loaded bool
	run(t, ctx, "inject axe", chromedp.Evaluate(`typeof window.axe !== 'undefined'`, &loaded))
	if !loaded {
		run(t, ctx, "inject axe", chromedp.Evaluate(axeSource, nil))
	}
	tags, _ := json.Marshal(wcagTags)
	var out string
	run(t, ctx, "run axe on "+page, chromedp.Evaluate(fmt.Sprintf(`axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
		.then(r => JSON.stringify(r.violations))`, tags), &out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("axe on %s: %s (%s): %s\n  %s", page, v.ID, v.Impact, v.Help, strings.Join(where, "\n  "))
	}
}

// setLang clicks the language switcher and waits for the page again.
func setLang(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	run(t, ctx, "switch to "+lang, chromedp.Click(`.language-switcher a[data-lang="`+lang+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[lang="`+lang+`"]`, chromedp.ByQuery), waitPage())
}

// checkPage checks the current page with axe in Danish and in English and
// writes a screenshot of each; it leaves the page in Danish. Call it before
// typing on a page (a language switch redraws the page).
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	axe(t, ctx, name+" (da)")
	shot(t, ctx, name+"-da")
	setLang(t, ctx, "en")
	axe(t, ctx, name+" (en)")
	shot(t, ctx, name+"-en")
	setLang(t, ctx, "da")
}

// login logs in from the start page as a development persona through the
// issuer's login page, and waits for the app's page.
func login(t *testing.T, ctx context.Context, button, persona string) {
	t.Helper()
	// The click that starts the login is given 15 s to reach the issuer's
	// persona page and is tried once more (logged) if it did not: once in
	// a whole CI run a click right after the page was drawn was lost.
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err := chromedp.Run(cctx, chromedp.Click(button, chromedp.ByQuery), chromedp.WaitVisible(`#persona-`+persona, chromedp.ByQuery))
	cancel()
	if err != nil {
		var url string
		_ = chromedp.Run(ctx, chromedp.Location(&url))
		if !strings.Contains(url, "/dev-issuer/") {
			t.Logf("log in as %s: the issuer's page did not come within 15 s of the click (at %s: %v); clicking again", persona, url, err)
			run(t, ctx, "open the login page for "+persona, chromedp.Click(button, chromedp.ByQuery))
		}
	}
	run(t, ctx, "log in as "+persona,
		chromedp.WaitVisible(`#persona-`+persona, chromedp.ByQuery),
		chromedp.Click(`#persona-`+persona, chromedp.ByQuery),
		chromedp.Click(`button[type="submit"]:not([name])`, chromedp.ByQuery),
		chromedp.WaitVisible(`.portal-user .log-off`, chromedp.ByQuery),
		waitPage(),
	)
}

// text returns the trimmed text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

// texts returns the trimmed texts of every element matching sel.
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	var out []string
	run(t, ctx, "read all "+sel, chromedp.Evaluate(fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent.replace(/\s+/g, ' ').trim())`, sel), &out))
	return out
}

// fill types values into inputs by CSS selector (clearing them first).
func fill(t *testing.T, ctx context.Context, values map[string]string) {
	t.Helper()
	for sel, v := range values {
		// Emptied by script rather than Clear, which fails on an empty textarea.
		run(t, ctx, "fill "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery),
			chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).value = ''`, sel), nil), chromedp.SendKeys(sel, v, chromedp.ByQuery))
	}
}

// date fills a DKFDS date input (day, month, year) of field id.
func date(t *testing.T, ctx context.Context, id string, d time.Time) {
	t.Helper()
	fill(t, ctx, map[string]string{
		"#" + id + "-day":   fmt.Sprint(d.Day()),
		"#" + id + "-month": fmt.Sprint(int(d.Month())),
		"#" + id + "-year":  fmt.Sprint(d.Year()),
	})
}

// next submits the current step and waits for the next page.
func next(t *testing.T, ctx context.Context) {
	t.Helper()
	var before string
	run(t, ctx, "location", chromedp.Location(&before))
	run(t, ctx, "next", chromedp.Click(`#next`, chromedp.ByQuery))
	waitMoved(t, ctx, before)
}

// waitMoved waits until the app has left the URL before and drawn the next page.
func waitMoved(t *testing.T, ctx context.Context, before string) {
	t.Helper()
	run(t, ctx, "wait for the next page", chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var now string
			if err := chromedp.Location(&now).Do(ctx); err != nil {
				return err
			}
			if now != before {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}), waitPage())
}

// press sends one key to the focused element.
func press(key string) chromedp.Action { return chromedp.KeyEvent(key) }

// tabTo presses Tab until the focused element matches sel (at most 80 times).
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	for i := 0; i < 80; i++ {
		var ok bool
		run(t, ctx, "focus check", chromedp.Evaluate(fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%q)`, sel), &ok))
		if ok {
			return
		}
		run(t, ctx, "tab", press(kb.Tab))
	}
	t.Fatalf("Tab never reached %s", sel)
}

// reloadUntil opens path again and again until an element matches sel (the
// backend is eventually consistent), failing after within.
func reloadUntil(t *testing.T, ctx context.Context, path, sel string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		open(t, ctx, path)
		var found bool
		run(t, ctx, "look for "+sel, chromedp.Evaluate(fmt.Sprintf(`!!document.querySelector(%q)`, sel), &found))
		if found {
			return
		}
		if time.Now().After(deadline) {
			shot(t, ctx, "failure-"+sanitize(t.Name()))
			t.Fatalf("%s never showed %s", path, sel)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// cells returns the rows of a DKFDS structured list (th: td) under sel,
// each as "header: value" with whitespace collapsed.
func cells(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var out []string
	run(t, ctx, "read rows of "+sel, chromedp.Evaluate(fmt.Sprintf(`[...document.querySelectorAll(%q)].map(tr => [...tr.children].map(c => c.textContent.replace(/\s+/g, ' ').trim()).join(': '))`, sel+" tr"), &out))
	return strings.Join(out, "\n")
}

// employerReportToCheck fills in an employer's sickness report for the
// employee emp (first absence day first, employed since employedSince,
// hourly earnings as typed, e.g. "215,50") page by page, from the
// overview's "new report" to "Tjek dine svar" (or "Check your answers" in
// English).
func employerReportToCheck(t *testing.T, ctx context.Context, emp synth.Persona, first, employedSince time.Time, hourly, contact, email string) {
	t.Helper()
	run(t, ctx, "new report", chromedp.Click(`#new-report`, chromedp.ByQuery), waitPage(),
		chromedp.Click(`input[value="arbejdsgiver"] + label`, chromedp.ByQuery), chromedp.Click(`#choose-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-cpr`, chromedp.ByQuery), waitPage())
	fill(t, ctx, map[string]string{"#f-cpr": emp.CPR.String(), "#f-pNumber": emp.PNumber.String()})
	next(t, ctx)
	date(t, ctx, "f-firstAbsenceDay", first)
	next(t, ctx)
	date(t, ctx, "f-employedSince", employedSince)
	fill(t, ctx, map[string]string{"#f-weeklyHours": "37", "#f-hourlyEarnings": hourly})
	run(t, ctx, "wages paid", pick("f-wagesPaid-option1"))
	next(t, ctx)
	run(t, ctx, "circumstances", pick("f-pregnancyRelated-option2"), pick("f-flexjob-option2"))
	next(t, ctx)
	run(t, ctx, "retention", pick("f-retention-partialResumptionPossible-option2"),
		pick("f-retention-expectsReturn-option1"), pick("f-retention-retentionPlanWanted-option2"))
	next(t, ctx)
	fill(t, ctx, map[string]string{"#f-contact-name": contact, "#f-contact-email": email})
	next(t, ctx)
	if h := text(t, ctx, "main h1"); h != "Tjek dine svar" && h != "Check your answers" {
		t.Fatalf("after the last page: %q", h)
	}
}
