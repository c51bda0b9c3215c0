package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/registers/synth"
)

// The six subsidy blankets of the executive order (bekendtgørelse om
// Nemrefusion § 1, stk. 1, nr. 1–5) by their slug in the app.
var subsidySlugs = []string{"loentilskud", "fleksjobtilskud", "jobafklaring", "voksenlaerling", "mentor", "selvstaendig-stoette"}

// subsidyDates are the dates the journeys use: last month is the period
// paid for, the agreement or decision is from the month before.
type subsidyDates struct{ from, to, decided, agreeFrom, agreeTo time.Time }

func newSubsidyDates() subsidyDates {
	n := time.Now()
	from := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	return subsidyDates{from: from, to: from.AddDate(0, 1, -1), decided: from.AddDate(0, -1, 0),
		agreeFrom: from.AddDate(0, -1, 0), agreeTo: from.AddDate(0, 6, -1)}
}

// offered returns the slugs of the blankets the choice page offers.
func offered(t *testing.T, ctx context.Context) []string {
	t.Helper()
	open(t, ctx, "/nemrefusion/ny")
	var values []string
	run(t, ctx, "offered blankets", chromedp.WaitVisible(`#choose`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('#choose-form input[name="blanket"]')].map(i => i.value)`, &values))
	return values
}

func subsidyOnly(slugs []string) []string {
	var out []string
	for _, s := range slugs {
		if slices.Contains(subsidySlugs, s) {
			out = append(out, s)
		}
	}
	return out
}

// Each role is offered exactly the subsidy blankets the registry lets it
// send (events/registry.go Senders): an employer the five employer
// requests (bekendtgørelse § 1, stk. 1, nr. 1–4), a self-employed person
// only the § 136 support (nr. 5), an a-kasse none; a blanket not offered
// is not found by its address either.
func TestSubsidyBlanketsOfferedPerRole(t *testing.T) {
	for _, c := range []struct {
		persona string
		want    []string
	}{
		{"employer", []string{"loentilskud", "fleksjobtilskud", "jobafklaring", "voksenlaerling", "mentor"}},
		{"self-employed", []string{"selvstaendig-stoette"}},
		{"akasse", nil},
	} {
		t.Run(c.persona, func(t *testing.T) {
			ctx := browser(t, 2*time.Minute)
			open(t, ctx, "/")
			login(t, ctx, "#login-sender", c.persona)
			got := subsidyOnly(offered(t, ctx))
			if !slices.Equal(got, c.want) {
				t.Errorf("%s is offered the subsidy blankets %q, the registry's senders give %q", c.persona, got, c.want)
			}
			for _, s := range subsidySlugs {
				if slices.Contains(c.want, s) {
					continue
				}
				open(t, ctx, "/nemrefusion/ny/"+s+"/1")
				if f := texts(t, ctx, "#step-form"); len(f) != 0 {
					t.Errorf("%s can open the blanket %s by its address", c.persona, s)
				}
			}
		})
	}
}

// subsidyJourney is one subsidy blanket from the overview to the receipt:
// its pages (each filled by a function), what the preview must say (nil:
// the blanket has none) and what the receipt says happens next.
type subsidyJourney struct {
	name, slug string
	pages      []func()
	preview    func()
	next       string
	// capped: a fraction scheme (LAB § 133, § 136), which the rules refuse
	// for a year whose yearly cap is not in the system (never guessed).
	capped bool
}

// subsidyToReceipt runs a journey in Danish, checking every page with axe
// in both languages, and returns the receipt number.
func subsidyToReceipt(t *testing.T, ctx context.Context, j subsidyJourney) string {
	t.Helper()
	open(t, ctx, "/nemrefusion")
	run(t, ctx, "new report", chromedp.Click(`#new-report`, chromedp.ByQuery), waitPage(),
		chromedp.Click(`input[value="`+j.slug+`"] + label`, chromedp.ByQuery), chromedp.Click(`#choose-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#step-form`, chromedp.ByQuery), waitPage())
	steps := texts(t, ctx, ".step-indicator .step-title")
	if len(steps) != len(j.pages)+1 || steps[len(steps)-1] != "Tjek dine svar" {
		t.Errorf("%s: step indicator %q must have its %d pages and end in Tjek dine svar", j.name, steps, len(j.pages))
	}
	for i, fill := range j.pages {
		checkPage(t, ctx, fmt.Sprintf("sub-%s-%02d", j.slug, i+1))
		fill()
		next(t, ctx)
	}
	if h := text(t, ctx, "main h1"); h != "Tjek dine svar" {
		t.Fatalf("%s: after the last page: %q", j.name, h)
	}
	if j.preview != nil {
		run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	}
	checkPage(t, ctx, fmt.Sprintf("sub-%s-%02d-check", j.slug, len(j.pages)+1))
	if j.preview != nil {
		run(t, ctx, "preview drawn again", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
		j.preview()
	} else if p := text(t, ctx, "#preview-box"); p != "" {
		t.Errorf("%s has no preview, the check page shows %q", j.name, p)
	}
	run(t, ctx, "send", chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	receipt := text(t, ctx, "#receipt-number")
	if !regexp.MustCompile(`^NR-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`).MatchString(receipt) {
		t.Errorf("%s: receipt number %q", j.name, receipt)
	}
	if n := text(t, ctx, "#receipt-next"); !strings.Contains(n, j.next) {
		t.Errorf("%s: what happens next %q, want it to say %q", j.name, n, j.next)
	}
	run(t, ctx, "the receipt is checked", chromedp.WaitVisible(`#receipt[data-state="delivered"], #receipt[data-state="rejected"]`, chromedp.ByQuery))
	var state string
	run(t, ctx, "receipt state", chromedp.AttributeValue(`#receipt`, "data-state", &state, nil, chromedp.ByQuery))
	st := text(t, ctx, "#receipt")
	switch {
	case state == "delivered":
		if !strings.Contains(st, "Anmodningen er kontrolleret og sendt videre") || !strings.Contains(st, "Kommune") {
			t.Errorf("%s: the delivered receipt: %q", j.name, st)
		}
	case j.capped && strings.Contains(st, "Loftet"):
		// The year's cap is not in the system: refused, naming it.
	default:
		t.Errorf("%s: the receipt is %s: %q", j.name, state, st)
	}
	checkPage(t, ctx, fmt.Sprintf("sub-%s-%02d-receipt", j.slug, len(j.pages)+2))
	return receipt
}

// errorsShown submits the page and returns the error summary's items,
// failing unless the field messages say the same.
func errorsShown(t *testing.T, ctx context.Context) []string {
	t.Helper()
	run(t, ctx, "submit", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	summary := texts(t, ctx, "#error-summary li")
	fieldMsgs := texts(t, ctx, ".form-error-message")
	for i := range fieldMsgs {
		fieldMsgs[i] = strings.TrimSpace(strings.TrimPrefix(fieldMsgs[i], "Fejl:"))
	}
	if !slices.Equal(summary, fieldMsgs) {
		t.Errorf("error summary %q and field messages %q must be identical", summary, fieldMsgs)
	}
	return summary
}

// An employer requests each of the five employer subsidies (bekendtgørelse
// om Nemrefusion § 1, stk. 1, nr. 1–4: løntilskud LAB kapitel 12,
// fleksjobtilskud LAB § 133, jobafklaring LAS § 69 t, voksenlærling LAB §
// 159, mentor LAB kapitel 26) from the choice of blanket to the receipt,
// page by page: the wage subsidy shows the error summary for an empty page
// and the rules between dates with the server's texts; the wage, flexjob and
// adult apprentice previews are drawn before sending.
func TestSubsidyEmployerRequestsFromLoginToReceipt(t *testing.T) {
	ctx := browser(t, 12*time.Minute)
	emp, ok := synth.PersonaByKey(synth.PersonaEmployee)
	if !ok {
		t.Fatal("no employee persona in the synthetic Denmark")
	}
	d := newSubsidyDates()
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	open(t, ctx, "/nemrefusion/ny")
	checkPage(t, ctx, "sub-00-choose")

	employee := func() {
		fill(t, ctx, map[string]string{"#f-cpr": emp.CPR.String(), "#f-pNumber": emp.PNumber.String()})
	}
	contact := func() {
		fill(t, ctx, map[string]string{"#f-contact-name": "Lone Løn", "#f-contact-email": "lone@example.dk"})
	}
	ref := "T-" + fmt.Sprint(time.Now().UnixNano()%1e9)

	// Løntilskud: an empty first page names both questions; the agreement
	// ending before it begins and a period outside the agreement are caught
	// on the page with the texts the server gives (events.SubsidyWageRequest.Check).
	wage := subsidyJourney{name: "løntilskud (LAB kapitel 12)", slug: "loentilskud", next: "Anmodninger, vi modtager senest den 15. i måneden, udbetales i samme måned",
		pages: []func(){
			func() {
				if s := errorsShown(t, ctx); len(s) != 2 {
					t.Errorf("an empty employee page: %q", s)
				}
				checkPage(t, ctx, "sub-loentilskud-01-errors")
				employee()
			},
			func() {
				fill(t, ctx, map[string]string{"#f-agreement-reference": "JC-" + ref})
				date(t, ctx, "f-agreement-date", d.decided)
				date(t, ctx, "f-agreementPeriod-from", d.agreeFrom)
				date(t, ctx, "f-agreementPeriod-to", d.agreeFrom.AddDate(0, 0, -1))
				if s := errorsShown(t, ctx); !slices.Equal(s, []string{"Aftalen gælder til: Perioden slutter før den begynder."}) {
					t.Errorf("an agreement ending before it begins: %q", s)
				}
				checkPage(t, ctx, "sub-loentilskud-02-errors")
				date(t, ctx, "f-agreementPeriod-to", d.agreeTo)
			},
			func() {
				date(t, ctx, "f-period-from", d.agreeFrom.AddDate(0, 0, -3))
				date(t, ctx, "f-period-to", d.to)
				if s := errorsShown(t, ctx); !slices.Equal(s, []string{"Periodens første dag: Perioden ligger uden for aftalens periode."}) {
					t.Errorf("a period outside the agreement: %q", s)
				}
				date(t, ctx, "f-period-from", d.from)
				date(t, ctx, "f-period-to", d.from.AddDate(0, 0, -1))
				if s := errorsShown(t, ctx); !slices.Equal(s, []string{"Periodens sidste dag: Perioden slutter før den begynder."}) {
					t.Errorf("a period ending before it begins: %q", s)
				}
				checkPage(t, ctx, "sub-loentilskud-03-errors")
				date(t, ctx, "f-period-to", d.to)
			},
			func() {
				fill(t, ctx, map[string]string{"#f-hoursWorked": "148", "#f-hoursAbsent": "0", "#f-hourlyWage": "160", "#f-wagesPaid": "23680", "#f-hourlySubsidy": "80"})
			},
			contact,
		},
		preview: func() {
			// Paid this month when received by the 15th, else next month (LAB kapitel 12, nemrefusion.dk).
			n := time.Now()
			month := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
			if n.Day() > 15 {
				month = month.AddDate(0, 1, 0)
			}
			want := danishMonths[month.Month()-1] + " " + fmt.Sprint(month.Year())
			if p := text(t, ctx, "#preview"); !strings.Contains(p, "Udbetales i") || !strings.Contains(p, want) {
				t.Errorf("wage subsidy preview %q, want the payment month %s", p, want)
			}
			// 148 hours × the agreement's 80 kr., at most the wages of the hours (148 × 160 kr.).
			if p := cells(t, ctx, "#preview"); !strings.Contains(p, "Løn for de arbejdede timer: 23.680,00 kr.") || !strings.Contains(p, "Forventet løntilskud: 11.840,00 kr.") {
				t.Errorf("wage subsidy preview %q, want 148 × 80 kr. = 11.840,00 kr. of wages 23.680,00 kr.", p)
			}
		}}

	flexjob := subsidyJourney{name: "fleksjobtilskud (LAB § 133)", slug: "fleksjobtilskud", next: "jobcentret", capped: true,
		pages: []func(){
			employee,
			func() {
				// A flexjob agreed in 2013 is not under § 133: the page says so as the server does.
				fill(t, ctx, map[string]string{"#f-agreement-reference": "FJ-" + ref})
				date(t, ctx, "f-agreement-date", time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC))
				run(t, ctx, "two thirds", pick("f-fraction-option2"))
				if s := errorsShown(t, ctx); !slices.Equal(s, []string{"Dato for fleksjobaftalen: LAB § 133 gælder fleksjob aftalt før 1. januar 2013."}) {
					t.Errorf("a flexjob agreed in 2013: %q", s)
				}
				date(t, ctx, "f-agreement-date", time.Date(2011, 9, 1, 0, 0, 0, 0, time.UTC))
			},
			func() { date(t, ctx, "f-period-from", d.from); date(t, ctx, "f-period-to", d.to) },
			func() { fill(t, ctx, map[string]string{"#f-hoursWorked": "120", "#f-wagesPaid": "24000"}) },
			contact,
		},
		preview: func() {
			// ⅔ of 24.000 kr. (LAB § 133), or the preview says the year's cap is unknown.
			p := text(t, ctx, "#preview-box")
			if !strings.Contains(p, "16.000,00 kr.") && !strings.Contains(p, "Loftet") {
				t.Errorf("flexjob preview %q: neither ⅔ of the wages nor the unknown cap", p)
			}
		}}

	jobClarification := subsidyJourney{name: "jobafklaring (LAS § 69 t)", slug: "jobafklaring", next: "kommune",
		pages: []func(){
			employee,
			func() {
				fill(t, ctx, map[string]string{"#f-decision-reference": "JA-" + ref})
				date(t, ctx, "f-decision-date", d.decided)
				date(t, ctx, "f-processStart", d.from.AddDate(0, 0, 5))
			},
			func() {
				// A period that ends before the process starts (the server's words).
				date(t, ctx, "f-period-from", d.from)
				date(t, ctx, "f-period-to", d.from.AddDate(0, 0, 2))
				if s := errorsShown(t, ctx); !slices.Equal(s, []string{"Periodens sidste dag: Perioden slutter før jobafklaringsforløbet begynder."}) {
					t.Errorf("a period ending before the process: %q", s)
				}
				date(t, ctx, "f-period-to", d.to)
			},
			func() { fill(t, ctx, map[string]string{"#f-hoursPaid": "148", "#f-wagesPaid": "26000"}) },
			contact,
		}}

	apprentice := subsidyJourney{name: "voksenlærling (LAB § 159)", slug: "voksenlaerling", next: "lærlingens kommune",
		pages: []func(){
			employee,
			func() {
				fill(t, ctx, map[string]string{"#f-agreement-reference": "UA-" + ref, "#f-decision-reference": "VL-" + ref})
				date(t, ctx, "f-agreement-date", d.decided)
				date(t, ctx, "f-decision-date", d.decided)
				run(t, ctx, "from unemployment", pick("f-group-option1"))
			},
			func() {
				fill(t, ctx, map[string]string{"#f-month": "marts", "#f-hours": "160,5"})
				if s := errorsShown(t, ctx); !slices.Equal(s, []string{"Måneden skal skrives som år og måned, fx 2026-03."}) {
					t.Errorf("a month in words: %q", s)
				}
				fill(t, ctx, map[string]string{"#f-month": d.from.Format("2006-01")})
			},
			contact,
		},
		preview: func() {
			// From unemployment: 45 kr. an hour (LAB § 159, stk. 2) × 160,5 hours.
			if p := cells(t, ctx, "#preview"); !strings.Contains(p, "Tilskud pr. time: 45,00 kr.") || !strings.Contains(p, "Forventet tilskud for måneden: 7.222,50 kr.") {
				t.Errorf("adult apprentice preview %q, want 160,5 × 45 kr. = 7.222,50 kr.", p)
			}
		}}

	mentor := subsidyJourney{name: "mentor (LAB kapitel 26)", slug: "mentor", next: "jobcentret",
		pages: []func(){
			employee,
			func() {
				// A grant of more than 6 months (LAB kapitel 26) is caught with its last day.
				fill(t, ctx, map[string]string{"#f-decision-reference": "ME-" + ref})
				date(t, ctx, "f-decision-date", d.decided)
				date(t, ctx, "f-grant-from", d.from)
				date(t, ctx, "f-grant-to", d.from.AddDate(0, 7, 0))
				last := d.from.AddDate(0, 6, -1)
				want := fmt.Sprintf("Bevillingen gælder til: En mentorbevilling gælder højst 6 måneder (til %d. %s %d); forlæng den med en ny bevilling.", last.Day(), danishMonths[last.Month()-1], last.Year())
				if s := errorsShown(t, ctx); !slices.Equal(s, []string{want}) {
					t.Errorf("a mentor grant of 7 months: %q, want %q", s, want)
				}
				date(t, ctx, "f-grant-to", last)
			},
			func() { date(t, ctx, "f-period-from", d.from); date(t, ctx, "f-period-to", d.to) },
			func() { fill(t, ctx, map[string]string{"#f-mentorHours": "12", "#f-cost": "3600"}) },
			contact,
		}}

	for _, j := range []subsidyJourney{wage, flexjob, jobClarification, apprentice, mentor} {
		subsidyToReceipt(t, ctx, j)
	}
}

// A self-employed person requests the § 136 support (bekendtgørelse om
// Nemrefusion § 1, stk. 1, nr. 5; LAB § 136) in Danish from login to
// receipt, every page checked with axe in both languages; the preview of
// ½ of the basis is drawn before sending.
func TestSubsidySelfEmployed136FromLoginToReceipt(t *testing.T) {
	ctx := browser(t, 4*time.Minute)
	d := newSubsidyDates()
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "self-employed")
	subsidyToReceipt(t, ctx, subsidyJourney{name: "støtte til selvstændig (LAB § 136)", slug: "selvstaendig-stoette", next: "jobcentret i din kommune", capped: true,
		pages: []func(){
			func() {
				fill(t, ctx, map[string]string{"#f-decision-reference": "S136-DA-" + fmt.Sprint(time.Now().UnixNano()%1e9)})
				date(t, ctx, "f-decision-date", d.decided)
				run(t, ctx, "one half", pick("f-fraction-option1"))
			},
			func() {
				date(t, ctx, "f-period-from", d.from)
				date(t, ctx, "f-period-to", d.to)
				fill(t, ctx, map[string]string{"#f-basis": "28000"})
			},
			func() {}, // the P-number is optional
			func() {
				fill(t, ctx, map[string]string{"#f-contact-name": "Tom Tømrer", "#f-contact-phone": "12345678"})
			},
		},
		preview: func() {
			// ½ of 28.000 kr. (LAB § 136), or the preview says the year's cap is unknown.
			if p := text(t, ctx, "#preview-box"); !strings.Contains(p, "14.000,00 kr.") && !strings.Contains(p, "Loftet") {
				t.Errorf("§ 136 preview %q: neither ½ of the basis nor the unknown cap", p)
			}
		}})
}

var danishMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

// A self-employed person requests the § 136 support (bekendtgørelse om
// Nemrefusion § 1, stk. 1, nr. 5; LAB § 136) in English from login to
// receipt, every page checked with axe in English.
func TestSubsidySelfEmployed136InEnglish(t *testing.T) {
	ctx := browser(t, 4*time.Minute)
	d := newSubsidyDates()
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "self-employed")
	setLang(t, ctx, "en")
	page := func(name string) {
		t.Helper()
		axe(t, ctx, name+" (en)")
		shot(t, ctx, name+"-en")
	}
	run(t, ctx, "new report", chromedp.Click(`#new-report`, chromedp.ByQuery), waitPage())
	page("sub-136-00-choose")
	run(t, ctx, "choose § 136", chromedp.Click(`input[value="selvstaendig-stoette"] + label`, chromedp.ByQuery),
		chromedp.Click(`#choose-form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#step-form`, chromedp.ByQuery), waitPage())
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "The municipality’s decision") {
		t.Errorf("first page in English: %q", h)
	}
	page("sub-136-01")
	fill(t, ctx, map[string]string{"#f-decision-reference": "S136-" + fmt.Sprint(time.Now().UnixNano()%1e9)})
	date(t, ctx, "f-decision-date", time.Now().AddDate(0, 0, 3))
	run(t, ctx, "one half", pick("f-fraction-option1"))
	run(t, ctx, "submit", chromedp.Click(`#next`, chromedp.ByQuery), chromedp.WaitVisible(`#error-summary`, chromedp.ByQuery))
	if s := texts(t, ctx, "#error-summary li"); !slices.Equal(s, []string{"Date of the decision: The decision cannot be dated in the future."}) {
		t.Errorf("a decision dated in the future: %q", s)
	}
	page("sub-136-01-errors")
	date(t, ctx, "f-decision-date", d.decided)
	next(t, ctx)
	page("sub-136-02")
	date(t, ctx, "f-period-from", d.from)
	date(t, ctx, "f-period-to", d.to)
	fill(t, ctx, map[string]string{"#f-basis": "28000.00"})
	next(t, ctx)
	page("sub-136-03")
	next(t, ctx) // the P-number is optional
	page("sub-136-04")
	fill(t, ctx, map[string]string{"#f-contact-name": "Tom Tømrer", "#f-contact-phone": "12345678"})
	next(t, ctx)
	if h := text(t, ctx, "main h1"); h != "Check your answers" {
		t.Fatalf("after the last page: %q", h)
	}
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	if p := text(t, ctx, "#preview-box"); !strings.Contains(p, "Expected subsidy") || !strings.Contains(p, "14,000.00 DKK") && !strings.Contains(p, "cap") {
		t.Errorf("§ 136 preview: %q: neither ½ of the basis nor the unknown cap", p)
	}
	if c := text(t, ctx, "main"); !strings.Contains(c, "28000.00 DKK") || !strings.Contains(c, "One half (1/2)") {
		t.Errorf("check your answers shows the answers: %q", c)
	}
	page("sub-136-05-check")
	run(t, ctx, "send", chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	if n := text(t, ctx, "#receipt-next"); !strings.Contains(n, "the jobcenter of your municipality") {
		t.Errorf("what happens next: %q", n)
	}
	run(t, ctx, "the receipt is checked", chromedp.WaitVisible(`#receipt[data-state="delivered"], #receipt[data-state="rejected"]`, chromedp.ByQuery))
	if st := text(t, ctx, "#receipt"); !strings.Contains(st, "The request has been checked and passed on") && !strings.Contains(st, "cap") {
		t.Errorf("the receipt: %q", st)
	}
	page("sub-136-06-receipt")
}

// An employer completes the flexjob subsidy (LAB § 133) with the keyboard
// alone: Tab to every question, type, Space and arrows on the radio
// buttons, Enter on the buttons, from the choice of blanket to the receipt.
func TestSubsidyKeyboardOnlyFlexjob(t *testing.T) {
	ctx := browser(t, 4*time.Minute)
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	d := newSubsidyDates()
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	open(t, ctx, "/nemrefusion/ny")
	run(t, ctx, "choose form", chromedp.WaitVisible(`#choose-form`, chromedp.ByQuery))

	typeDate := func(id string, v time.Time) {
		t.Helper()
		typeKeys(t, ctx, `#`+id+`-day`, fmt.Sprint(v.Day()))
		typeKeys(t, ctx, `#`+id+`-month`, fmt.Sprint(int(v.Month())))
		typeKeys(t, ctx, `#`+id+`-year`, fmt.Sprint(v.Year()))
	}

	// Tab reaches the group of blankets; the arrow keys move to the flexjob subsidy.
	var at int
	run(t, ctx, "position of the flexjob blanket", chromedp.Evaluate(`[...document.querySelectorAll('#choose-form input[name="blanket"]')].findIndex(i => i.value === 'fleksjobtilskud')`, &at))
	if at < 0 {
		t.Fatal("the employer is not offered the flexjob subsidy")
	}
	tabTo(t, ctx, `#blanket-option1`)
	run(t, ctx, "select the first", press(" "))
	for range at {
		run(t, ctx, "arrow down", press(kb.ArrowDown))
	}
	var chosen string
	run(t, ctx, "chosen", chromedp.Evaluate(`document.querySelector('#choose-form input[name="blanket"]:checked')?.value || ''`, &chosen))
	if chosen != "fleksjobtilskud" {
		t.Fatalf("the arrow keys chose %q", chosen)
	}
	enterKey(t, ctx, `#choose-form button[type=submit]`)

	typeKeys(t, ctx, `#f-cpr`, emp.CPR.String())
	typeKeys(t, ctx, `#f-pNumber`, emp.PNumber.String())
	enterKey(t, ctx, `#next`)

	typeKeys(t, ctx, `#f-agreement-reference`, "FJ-KB-"+fmt.Sprint(time.Now().UnixNano()%1e9))
	typeDate("f-agreement-date", time.Date(2011, 9, 1, 0, 0, 0, 0, time.UTC))
	tabTo(t, ctx, `#f-fraction-option1`)
	run(t, ctx, "one half", press(" "))
	run(t, ctx, "arrow to two thirds", press(kb.ArrowDown))
	var checked bool
	run(t, ctx, "radio state", chromedp.Evaluate(`document.querySelector('#f-fraction-option2').checked`, &checked))
	if !checked {
		t.Fatal("the radio buttons did not follow the keyboard")
	}
	enterKey(t, ctx, `#next`)

	typeDate("f-period-from", d.from)
	typeDate("f-period-to", d.to)
	enterKey(t, ctx, `#next`)

	typeKeys(t, ctx, `#f-hoursWorked`, "120")
	typeKeys(t, ctx, `#f-wagesPaid`, "24000")
	enterKey(t, ctx, `#next`)

	typeKeys(t, ctx, `#f-contact-name`, "Lone Løn")
	enterKey(t, ctx, `#next`)

	run(t, ctx, "check page", chromedp.WaitVisible(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	enterKey(t, ctx, `#send-report`)
	run(t, ctx, "receipt", chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery))
	if r := text(t, ctx, "#receipt-number"); !regexp.MustCompile(`^NR-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`).MatchString(r) {
		t.Errorf("receipt number %q", r)
	}
	shot(t, ctx, "sub-keyboard-receipt")
}

// The rules between dates the subsidy forms check on the page say what the
// server says for the same rule (events' Check of each request: the same
// Danish and English text on the same field, or on the object the field
// is part of, e.g. "period"). Every rule of the forms is either checked
// here or named as decided by the subsidy function's rules (LAB kapitel 26:
// a mentor grant of at most 6 months, the period inside the grant).
func TestSubsidyPageRulesAreTheServersRules(t *testing.T) {
	e, _ := synth.PersonaByKey(synth.PersonaEmployee)
	s, _ := synth.PersonaByKey(synth.PersonaSelfEmployed)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	d := newSubsidyDates()
	future := day(time.Now().AddDate(0, 0, 5))
	before := func(iso string) string {
		x, _ := time.Parse(time.DateOnly, iso)
		return day(x.AddDate(0, 0, -1))
	}
	period := events.DatePeriod{From: day(d.from), To: day(d.to)}
	dec := events.SubsidyDecision{Reference: "R-1", Date: day(d.decided)}
	c := events.Contact{Name: "Lone Løn"}
	wage := func(m func(*events.SubsidyWageRequest)) func() events.FieldErrors {
		return func() events.FieldErrors {
			r := events.SubsidyWageRequest{CPR: e.CPR.String(), CVR: e.CVR.String(), PNumber: e.PNumber.String(), Agreement: dec,
				AgreementPeriod: events.DatePeriod{From: day(d.agreeFrom), To: day(d.agreeTo)}, Period: period, HoursWorked: 148, HourlyWage: 160, WagesPaid: 23680, Contact: c}
			m(&r)
			return r.Check()
		}
	}
	flex := func(m func(*events.SubsidyFlexjobRequest)) func() events.FieldErrors {
		return func() events.FieldErrors {
			r := events.SubsidyFlexjobRequest{CPR: e.CPR.String(), CVR: e.CVR.String(), PNumber: e.PNumber.String(), Agreement: events.SubsidyDecision{Reference: "FJ", Date: "2011-09-01"},
				Fraction: "2/3", Period: period, HoursWorked: 120, WagesPaid: 24000, Contact: c}
			m(&r)
			return r.Check()
		}
	}
	job := func(m func(*events.SubsidyJobClarificationRequest)) func() events.FieldErrors {
		return func() events.FieldErrors {
			r := events.SubsidyJobClarificationRequest{CPR: e.CPR.String(), CVR: e.CVR.String(), PNumber: e.PNumber.String(), Decision: dec, ProcessStart: day(d.from), Period: period, HoursPaid: 148, WagesPaid: 26000, Contact: c}
			m(&r)
			return r.Check()
		}
	}
	appr := func(m func(*events.SubsidyAdultApprenticeRequest)) func() events.FieldErrors {
		return func() events.FieldErrors {
			r := events.SubsidyAdultApprenticeRequest{CPR: e.CPR.String(), CVR: e.CVR.String(), PNumber: e.PNumber.String(), Agreement: dec, Decision: dec, Month: d.from.Format("2006-01"), Hours: 160, Contact: c}
			m(&r)
			return r.Check()
		}
	}
	ment := func(m func(*events.SubsidyMentorRequest)) func() events.FieldErrors {
		return func() events.FieldErrors {
			r := events.SubsidyMentorRequest{CPR: e.CPR.String(), CVR: e.CVR.String(), PNumber: e.PNumber.String(), Decision: dec,
				Grant: events.DatePeriod{From: day(d.from), To: day(d.from.AddDate(0, 6, -1))}, Period: period, MentorHours: 12, Cost: 3600, Contact: c}
			m(&r)
			return r.Check()
		}
	}
	s136 := func(m func(*events.SubsidySelfEmployed136Request)) func() events.FieldErrors {
		return func() events.FieldErrors {
			r := events.SubsidySelfEmployed136Request{CPR: s.CPR.String(), CVR: s.CVR.String(), Decision: dec, Fraction: "1/2", Basis: 28000, Period: period, Contact: c}
			m(&r)
			return r.Check()
		}
	}
	type key struct {
		file, field string
		rule        int
	}
	cases := map[key]func() events.FieldErrors{
		{"subsidy-wage", "agreement.date", 0}:            wage(func(r *events.SubsidyWageRequest) { r.Agreement.Date = future }),
		{"subsidy-wage", "agreementPeriod.to", 0}:        wage(func(r *events.SubsidyWageRequest) { r.AgreementPeriod.To = before(r.AgreementPeriod.From) }),
		{"subsidy-wage", "period.from", 0}:               wage(func(r *events.SubsidyWageRequest) { r.Period.From = before(r.AgreementPeriod.From) }),
		{"subsidy-wage", "period.from", 1}:               wage(func(r *events.SubsidyWageRequest) { r.AgreementPeriod.To = before(r.Period.To) }),
		{"subsidy-wage", "period.to", 0}:                 wage(func(r *events.SubsidyWageRequest) { r.Period.To = before(r.Period.From) }),
		{"subsidy-flexjob", "agreement.date", 0}:         flex(func(r *events.SubsidyFlexjobRequest) { r.Agreement.Date = events.FlexjobSchemeEnd }),
		{"subsidy-flexjob", "agreement.date", 1}:         flex(func(r *events.SubsidyFlexjobRequest) { r.Agreement.Date = future }),
		{"subsidy-flexjob", "period.to", 0}:              flex(func(r *events.SubsidyFlexjobRequest) { r.Period.To = before(r.Period.From) }),
		{"subsidy-jobclarification", "decision.date", 0}: job(func(r *events.SubsidyJobClarificationRequest) { r.Decision.Date = future }),
		{"subsidy-jobclarification", "period.to", 0}:     job(func(r *events.SubsidyJobClarificationRequest) { r.Period.To = before(r.Period.From) }),
		{"subsidy-jobclarification", "period.to", 1}: job(func(r *events.SubsidyJobClarificationRequest) {
			r.Period.From = before(r.ProcessStart)
			r.Period.To = r.Period.From
		}),
		{"subsidy-adultapprentice", "agreement.date", 0}: appr(func(r *events.SubsidyAdultApprenticeRequest) { r.Agreement.Date = future }),
		{"subsidy-adultapprentice", "decision.date", 0}:  appr(func(r *events.SubsidyAdultApprenticeRequest) { r.Decision.Date = future }),
		{"subsidy-mentor", "decision.date", 0}:           ment(func(r *events.SubsidyMentorRequest) { r.Decision.Date = future }),
		{"subsidy-mentor", "grant.to", 0}:                ment(func(r *events.SubsidyMentorRequest) { r.Grant.To = before(r.Grant.From) }),
		{"subsidy-mentor", "period.to", 0}:               ment(func(r *events.SubsidyMentorRequest) { r.Period.To = before(r.Period.From) }),
		{"subsidy-selfemployed136", "decision.date", 0}:  s136(func(r *events.SubsidySelfEmployed136Request) { r.Decision.Date = future }),
		{"subsidy-selfemployed136", "period.to", 0}:      s136(func(r *events.SubsidySelfEmployed136Request) { r.Period.To = before(r.Period.From) }),
	}
	// Decided by functions/subsidy/grants.MentorGrant (its tests; the
	// journey above shows the 6 months' text with its date).
	byTheFunction := map[key]bool{
		{"subsidy-mentor", "grant.to", 1}: true, {"subsidy-mentor", "period.from", 0}: true, {"subsidy-mentor", "period.from", 1}: true,
	}
	// Each unchanged request passes, so each case's errors come from its change.
	for name, fe := range map[string]events.FieldErrors{
		"wage": wage(func(*events.SubsidyWageRequest) {})(), "flexjob": flex(func(*events.SubsidyFlexjobRequest) {})(),
		"jobclarification": job(func(*events.SubsidyJobClarificationRequest) {})(), "adultapprentice": appr(func(*events.SubsidyAdultApprenticeRequest) {})(),
		"mentor": ment(func(*events.SubsidyMentorRequest) {})(), "selfemployed136": s136(func(*events.SubsidySelfEmployed136Request) {})(),
	} {
		if len(fe) > 0 {
			t.Errorf("the unchanged %s request fails the server's check: %+v", name, fe)
		}
	}
	seen := 0
	for _, file := range []string{"subsidy-wage", "subsidy-flexjob", "subsidy-jobclarification", "subsidy-adultapprentice", "subsidy-mentor", "subsidy-selfemployed136"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "functions", "portal", "web", "app", "blankets", file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Fields map[string]struct {
				Rules []struct {
					Message struct{ Da, En string } `json:"message"`
				} `json:"rules"`
			} `json:"fields"`
		}
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for field, f := range h.Fields {
			for i, r := range f.Rules {
				k := key{file, field, i}
				if byTheFunction[k] {
					continue
				}
				check, ok := cases[k]
				if !ok {
					t.Errorf("%s: rule %d of %s is not compared with the server", file, i, field)
					continue
				}
				seen++
				fe := check()
				if !slices.ContainsFunc(fe, func(x events.FieldError) bool {
					return (x.Field == field || strings.HasPrefix(field, x.Field+".")) && x.Da == r.Message.Da && x.En == r.Message.En
				}) {
					t.Errorf("%s: rule %d of %s says %q / %q; the server says %+v", file, i, field, r.Message.Da, r.Message.En, fe)
				}
			}
		}
	}
	if seen != len(cases) {
		t.Errorf("%d rules compared, %d cases: a case names a rule the forms do not have", seen, len(cases))
	}
}

// Every answer a subsidy form's rules or preview name is one the form
// asks, so a renamed schema field fails here rather than silently
// skipping a rule or sending the preview without it.
func TestSubsidyFormsNameOnlyAskedAnswers(t *testing.T) {
	iso := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	for _, file := range []string{"subsidy-wage", "subsidy-flexjob", "subsidy-jobclarification", "subsidy-adultapprentice", "subsidy-mentor", "subsidy-selfemployed136"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "functions", "portal", "web", "app", "blankets", file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Preview any `json:"preview"`
			Pages   []struct {
				Fields []string `json:"fields"`
			} `json:"pages"`
			Fields map[string]struct {
				Rules []map[string]any `json:"rules"`
			} `json:"fields"`
		}
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		asked := map[string]bool{}
		for _, p := range h.Pages {
			for _, f := range p.Fields {
				asked[f] = true
			}
		}
		for field, f := range h.Fields {
			for i, r := range f.Rules {
				for _, k := range []string{"path", "notBefore", "notAfter", "before"} {
					v, ok := r[k].(string)
					if ok && v != "today" && !iso.MatchString(v) && !asked[v] {
						t.Errorf("%s: rule %d of %s compares %q, which the form does not ask", file, i, field, v)
					}
				}
			}
		}
		p, ok := h.Preview.(map[string]any)
		if !ok {
			continue
		}
		in, _ := p["input"].(map[string]any)
		if len(in) == 0 {
			t.Errorf("%s: the subsidy preview's request is not mapped (input)", file)
		}
		for k, v := range in {
			if path, isPath := v.(string); isPath && !asked[path] {
				t.Errorf("%s: the preview's %q is %q, which the form does not ask", file, k, path)
			}
		}
	}
}
