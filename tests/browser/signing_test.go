package browser

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
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

// ageLogin makes the login of this tab look older than the signing limit
// (AUTH_SIGNING_MAX_AGE is 20 minutes here): the session's auth_time, which
// the app compares before it signs, is set 30 minutes back.
func ageLogin(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "make the login old", chromedp.Evaluate(`(() => { const s = JSON.parse(sessionStorage.getItem('nr.session'));
		s.claims.auth_time = Math.floor(Date.now() / 1000) - 30 * 60; sessionStorage.setItem('nr.session', JSON.stringify(s)); })()`, nil))
}

// A sender fills in a report to "Tjek dine svar"; the login is then older
// than AUTH_SIGNING_MAX_AGE, so pressing send asks, clearly and with focus
// on the request, for a new login (Danish and English); the sender logs in
// again at the issuer, comes back to the report with the answers kept, it
// is sent and signed, and the receipt has a reference number. The report
// reaches the municipality with the answers given before the new login.
func TestSigningAsksForFreshLoginAndKeepsTheAnswers(t *testing.T) {
	ctx := browser(t, 8*time.Minute)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	first := time.Now().AddDate(0, 0, -18)
	contact := "Signe Signatur " + uuid.NewString()[:8]

	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	employerReportToCheck(t, ctx, emp, first, first.AddDate(-4, 0, 0), "221,75", contact, "signe@example.dk")
	if s := text(t, ctx, "main"); !strings.Contains(s, "mere end 20 minutter") {
		t.Errorf("Tjek dine svar says when a new login is needed (20 minutes here): %q", s)
	}

	// The login is now too old to sign: sending asks for a new login.
	resign := func(lang string) string {
		t.Helper()
		ageLogin(t, ctx)
		run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
		run(t, ctx, "send with an old login", chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#resign`, chromedp.ByQuery))
		var focused string
		run(t, ctx, "focus", chromedp.Evaluate(`document.activeElement.id`, &focused))
		if focused != "resign" {
			t.Errorf("(%s) the request to log in again must take focus, %q has it", lang, focused)
		}
		var role string
		run(t, ctx, "role", chromedp.AttributeValue(`#resign`, "role", &role, nil, chromedp.ByQuery))
		if role != "alert" {
			t.Errorf("(%s) the request is announced: role %q", lang, role)
		}
		if n := len(texts(t, ctx, "#receipt-number")); n != 0 {
			t.Fatalf("(%s) a report was sent with an old login", lang)
		}
		return text(t, ctx, "#resign")
	}
	da := resign("da")
	for _, want := range []string{"Du skal logge ind igen for at underskrive", "mere end 20 minutter siden", "dine svar er gemt", "Log ind og send"} {
		if !strings.Contains(da, want) {
			t.Errorf("the Danish request lacks %q: %q", want, da)
		}
	}
	axe(t, ctx, "fresh login asked (da)")
	shot(t, ctx, "80-signing-fresh-login-da")
	// A change of language draws the page again; sending again asks again.
	setLang(t, ctx, "en")
	en := resign("en")
	for _, want := range []string{"Log in again to sign", "more than 20 minutes ago", "your answers are saved", "Log in and send"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English request lacks %q: %q", want, en)
		}
	}
	axe(t, ctx, "fresh login asked (en)")
	shot(t, ctx, "80-signing-fresh-login-en")
	setLang(t, ctx, "da")
	resign("da")

	// Log in again at the issuer: back at the report, which is then sent.
	run(t, ctx, "log in again",
		chromedp.Click(`#resign button[data-action="login"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#persona-employer`, chromedp.ByQuery),
		chromedp.Click(`#persona-employer`, chromedp.ByQuery),
		chromedp.Click(`button[type="submit"]:not([name])`, chromedp.ByQuery),
		chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	var fresh float64
	run(t, ctx, "login age", chromedp.Evaluate(`Date.now() / 1000 - JSON.parse(sessionStorage.getItem('nr.session')).claims.auth_time`, &fresh))
	if fresh > 120 {
		t.Errorf("the new login is %.0f seconds old", fresh)
	}
	receipt := text(t, ctx, "#receipt-number")
	if !regexp.MustCompile(`^NR-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`).MatchString(receipt) {
		t.Errorf("receipt number %q", receipt)
	}
	checkPage(t, ctx, "81-signing-receipt")
	var loc string
	run(t, ctx, "location", chromedp.Location(&loc))
	absence := loc[strings.LastIndex(loc, "/")+1:]

	// The answers given before the new login reached the municipality.
	it := deliveredItem(t, "101", absence+"/", 60*time.Second)
	if p := string(it.Payload); !strings.Contains(p, contact) || !strings.Contains(p, emp.CPR.String()) {
		t.Errorf("the delivered report lacks the answers given before the new login: %s", p)
	}
}

// The server refuses to sign with a login older than AUTH_SIGNING_MAX_AGE
// whatever the browser does: a valid report with a token whose auth_time is
// 30 minutes old gets 401 with the step-up challenge and a clear bilingual
// message, and nothing is stored (the same event is then taken as new with
// a fresh login).
func TestSigningRefusedWithAnOldLoginByTheServer(t *testing.T) {
	p, _ := devissuer.PersonaByKey(devissuer.PersonaEmployer)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	source := "/browser-test/signing/" + uuid.NewString()
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	stored := func() int {
		t.Helper()
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM accept.submissions WHERE source = $1`, source).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	data := events.SicknessEmployerReport{CPR: emp.CPR.String(), CVR: emp.CVR.String(), PNumber: emp.PNumber.String(),
		FirstAbsenceDay: time.Now().AddDate(0, 0, -21).Format(time.DateOnly), WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 215.5,
		EmployedSince: "2018-02-01", Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Gammel Login"}}
	ev, _ := json.Marshal(map[string]any{"specversion": "1.0", "type": events.SicknessEmployerReported, "source": source, "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data})
	post := func(authAge time.Duration) (int, string, string) {
		t.Helper()
		c := p.Claims
		c.AuthTime = time.Now().Add(-authAge).Unix()
		tok, err := stack.Issuer().Mint(c, devissuer.MintOptions{})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, stack.Get().URL()+"/api/v1/events", strings.NewReader(string(ev)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/cloudevents+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(raw)
	}
	code, challenge, body := post(30 * time.Minute)
	if code != http.StatusUnauthorized || !strings.Contains(challenge, `error="insufficient_user_authentication"`) || !strings.Contains(challenge, "max_age=1200") {
		t.Errorf("an old login signs: %d %q %s", code, challenge, body)
	}
	if !strings.Contains(body, "Du skal logge ind igen for at underskrive") || !strings.Contains(body, "Please log in again to sign") {
		t.Errorf("the refusal is not clear in Danish and English: %s", body)
	}
	if n := stored(); n != 0 {
		t.Errorf("the refused report was stored (%d submissions)", n)
	}
	code, _, body = post(time.Minute)
	if code != http.StatusAccepted {
		t.Fatalf("the same report with a fresh login: %d %s", code, body)
	}
	if n := stored(); n != 1 {
		t.Errorf("the report with a fresh login: %d submissions, want 1", n)
	}
}
