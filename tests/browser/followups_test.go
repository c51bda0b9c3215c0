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
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// followUpSlugs are the slugs of the follow-ups the open case offers.
func followUpSlugs(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var hrefs []string
	run(t, ctx, "follow-ups offered", chromedp.Evaluate(`[...document.querySelectorAll('#follow-ups a')].map(a => a.getAttribute('href').split('/').pop())`, &hrefs))
	return hrefs
}

// submitAsEmployer posts a first request as the demo employer and returns
// its receipt.
func submitAsEmployer(t *testing.T, typ string, data any) string {
	t.Helper()
	ev, _ := json.Marshal(map[string]any{"specversion": "1.0", "type": typ, "source": "/browser-test/followups", "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data})
	var rc struct {
		Receipt string `json:"receipt"`
	}
	if code := apiCall(t, devissuer.PersonaEmployer, http.MethodPost, "/api/v1/events", string(ev), &rc); code != http.StatusAccepted || rc.Receipt == "" {
		t.Fatalf("%s: %d", typ, code)
	}
	return rc.Receipt
}

// sendFollowUp sends the follow-up from "Tjek dine svar" and waits until
// the receipt says it was passed on; it returns what the receipt says.
func sendFollowUp(t *testing.T, ctx context.Context, name string) (receipt, status, next string) {
	t.Helper()
	if h := text(t, ctx, "main h1"); h != "Tjek dine svar" {
		t.Fatalf("%s: check page %q", name, h)
	}
	checkPage(t, ctx, "followups-"+name+"-check")
	run(t, ctx, "send "+name, chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	receipt = text(t, ctx, "#receipt-number")
	if !receiptNumberPattern.MatchString(receipt) {
		t.Errorf("%s: receipt number %q", name, receipt)
	}
	run(t, ctx, name+" passed on", chromedp.WaitVisible(`#receipt[data-state="delivered"]`, chromedp.ByQuery))
	checkPage(t, ctx, "followups-"+name+"-receipt")
	return receipt, text(t, ctx, "#receipt"), text(t, ctx, "#receipt-next")
}

// A parental-leave case offers its own follow-ups (barselsloven § 40:
// next period, correction, cancellation), not sickness ones; a correction
// of the hourly earnings (§ 39: the refusion is computed again) goes from
// the case to its receipt, passed on to Udbetaling Danmark. A subsidy
// request has no case view (no feedback, seeds/000 § 1 stk. 3): its row in
// the overview offers the subsidy follow-ups, and a cancellation (LAB
// kapitel 12) goes from there to its receipt, passed on to the
// municipality, after which the row offers none.
func TestFollowUpsParentalCorrectionAndSubsidyCancellation(t *testing.T) {
	ctx := browser(t, 6*time.Minute)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	// A leave week of its own (the parental tests request leaveWeeks for
	// the same employee on the same stack; a period asked twice is refused).
	w1 := time.Now().AddDate(0, 0, -45)
	if w1.Year() != w1.AddDate(0, 0, 6).Year() {
		w1 = w1.AddDate(0, 0, -7)
	}
	wages := 7770.0
	parental := submitAsEmployer(t, events.ParentalEmployerReported, events.ParentalEmployerReport{CPR: emp.CPR.String(), CVR: emp.CVR.String(),
		PNumber: emp.PNumber.String(), ChildDate: w1.Format(time.DateOnly), WeeklyHours: 37, HourlyEarnings: 210, EmployedSince: "2019-05-01",
		Periods:        []events.LeavePeriod{{From: w1.Format(time.DateOnly), To: w1.AddDate(0, 0, 6).Format(time.DateOnly), Kind: events.LeaveBirth, HoursAbsent: 37, WagesPaid: &wages}},
		LeaveContinues: true, Contact: events.Contact{Name: "Lone Løn"}})
	now := time.Now()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	to := from.AddDate(0, 1, -1)
	ref := "JC-" + uuid.NewString()[:8]
	subsidy := submitAsEmployer(t, events.SubsidyWageRequested, events.SubsidyWageRequest{CPR: emp.CPR.String(), CVR: emp.CVR.String(), PNumber: emp.PNumber.String(),
		Agreement:       events.SubsidyDecision{Reference: ref, Date: from.AddDate(0, -2, 0).Format(time.DateOnly)},
		AgreementPeriod: events.DatePeriod{From: from.AddDate(0, -1, 0).Format(time.DateOnly), To: to.AddDate(0, 5, 0).Format(time.DateOnly)},
		Period:          events.DatePeriod{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)},
		HoursWorked:     148, HourlyWage: 160, WagesPaid: 23680, Contact: events.Contact{Name: "Lone Løn"}})

	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")

	// The parental case: its follow-ups, then the correction.
	href := caseLinkOf(t, ctx, parental)
	reloadUntil(t, ctx, href, `#follow-ups`, 30*time.Second)
	if f := followUpSlugs(t, ctx); strings.Join(f, ",") != "barsel-naeste-periode,barsel-ret,barsel-annuller" {
		t.Errorf("the parental case offers %q; want next period, correction and cancellation of the leave", f)
	}
	checkPage(t, ctx, "followups-01-parental-case")
	clickMove(t, ctx, `#follow-ups a[href="`+href+`/barsel-ret"]`)
	checkPage(t, ctx, "followups-02-parental-correction")
	fill(t, ctx, map[string]string{"#f-hourlyEarnings": "100"})
	next(t, ctx)
	fill(t, ctx, map[string]string{"#f-explanation": "Timefortjenesten var forkert"})
	next(t, ctx)
	r, st, nx := sendFollowUp(t, ctx, "parental-correction")
	if r == parental {
		t.Errorf("the correction has the request's receipt %s", r)
	}
	if !strings.Contains(st, "Udbetaling Danmark") || strings.Contains(st, "ommune") {
		t.Errorf("the correction's receipt names another recipient than Udbetaling Danmark: %q", st)
	}
	if !strings.HasPrefix(nx, "Rettelsen erstatter de oplysninger, du rettede, i sagen, og refusionen er beregnet igen. Udbetaling Danmark") {
		t.Errorf("what happens after a parental correction: %q", nx)
	}
	run(t, ctx, "back to the case", chromedp.WaitVisible(`#to-case`, chromedp.ByQuery))

	// The subsidy request: its row offers the subsidy follow-ups, and none
	// of sickness or parental leave.
	offer := func(slug string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#absences tbody tr')].find(r => r.querySelector('.js-receipt')?.textContent.includes(%q))?.querySelector('a.js-follow-up[data-offer=%q]')?.getAttribute('href') || ''`, subsidy, slug)
	}
	var cancel string
	deadline := time.Now().Add(45 * time.Second)
	for cancel == "" {
		open(t, ctx, "/nemrefusion")
		run(t, ctx, "the subsidy row's cancellation", chromedp.Evaluate(offer("tilskud-annuller"), &cancel))
		if cancel == "" && time.Now().After(deadline) {
			t.Fatalf("the overview never offered the cancellation of %s", subsidy)
		}
		if cancel == "" {
			time.Sleep(500 * time.Millisecond)
		}
	}
	var offered []string
	run(t, ctx, "the subsidy row's follow-ups", chromedp.Evaluate(fmt.Sprintf(`[...[...document.querySelectorAll('#absences tbody tr')].find(r => r.querySelector('.js-receipt')?.textContent.includes(%q)).querySelectorAll('a.js-follow-up')].map(a => a.dataset.offer)`, subsidy), &offered))
	if strings.Join(offered, ",") != "tilskud-ret,tilskud-annuller" {
		t.Errorf("the subsidy row offers %q; want the correction and cancellation of the request", offered)
	}
	checkPage(t, ctx, "followups-03-overview")
	clickMove(t, ctx, `a.js-follow-up[href="`+cancel+`"]`)
	checkPage(t, ctx, "followups-04-subsidy-cancellation")
	fill(t, ctx, map[string]string{"#f-explanation": "Sendt ved en fejl"})
	next(t, ctx)
	_, st, nx = sendFollowUp(t, ctx, "subsidy-cancellation")
	if !strings.Contains(st, "Kommune") {
		t.Errorf("the subsidy cancellation's receipt does not name the municipality: %q", st)
	}
	if !strings.HasPrefix(nx, "Anmodningerne under aftalen bliver annulleret") {
		t.Errorf("what happens after a subsidy cancellation: %q", nx)
	}
	var toCase int
	run(t, ctx, "no case view", chromedp.Evaluate(`document.querySelectorAll('#to-case').length`, &toCase))
	if toCase != 0 {
		t.Error("the subsidy cancellation's receipt links a case view a subsidy does not have")
	}
	// The cancelled request offers no more follow-ups.
	open(t, ctx, "/nemrefusion")
	var left string
	run(t, ctx, "the cancelled row", chromedp.Evaluate(offer("tilskud-ret"), &left))
	if left != "" {
		t.Errorf("a cancelled subsidy request still offers its correction: %s", left)
	}
}
