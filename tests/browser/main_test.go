// Package browser drives the web app in real Chromium (Debian's
// /usr/bin/chromium, headless) with chromedp against the running local
// stack: whole journeys from login to receipt, keyboard-only completion,
// axe-core (WCAG 2.1 A and AA) on every page in Danish and English, and a
// screenshot of every page under tests/screenshots/ for a reviewer.
package browser

import (
	"fmt"
	"os"
	"testing"
	"time"

	"nemrefusion.dk/tests/stack"
)

func TestMain(m *testing.M) {
	if os.Getenv("NR_NO_BROWSER") != "" {
		fmt.Println("browser tests skipped: NR_NO_BROWSER is set")
		os.Exit(0)
	}
	if _, err := os.Stat(chromiumPath()); err != nil {
		fmt.Fprintf(os.Stderr, "no Chromium at %s (make deps installs it; CHROMIUM names another): %v\n", chromiumPath(), err)
		os.Exit(1)
	}
	// The local stack registers a provisional maximum rate for the current
	// year (as tests/e2e does), so the refusion preview can be shown.
	if os.Getenv("SICKNESS_PROVISIONAL_RATES") == "" {
		os.Setenv("SICKNESS_PROVISIONAL_RATES", fmt.Sprintf("%d=4845", time.Now().Year()))
	}
	// A signed answer needs a login no older than AUTH_SIGNING_MAX_AGE; the
	// journeys here sign within one login that may, on a loaded machine,
	// last longer than the default 5 minutes.
	if os.Getenv("AUTH_SIGNING_MAX_AGE") == "" {
		os.Setenv("AUTH_SIGNING_MAX_AGE", "20m")
	}
	os.Exit(stack.Run(m))
}

func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}
