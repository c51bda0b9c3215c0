package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

// Issue 18: what the sender's web app says must be true. A report is
// "received and being checked" until the list shows it delivered or
// rejected; a rejection is shown with its reasons on the receipt, in the
// overview (Afvist) and in the case; the overview is a work list with
// search and paging; the receipt is downloadable as a PDF.

// unknownCPR is a well-formed CPR number that the synthetic registers do
// not hold: the blanket's checks reject a report about it.
const unknownCPR = "0101709995"

// A report about an unknown CPR: the receipt says it is being checked, then
// that it was rejected and why; the overview shows the row as Afvist and
// the case view shows the reasons in an error box.
func TestSenderSeesARejectedReport(t *testing.T) {
	ctx := browser(t, 5*time.Minute)
	emp, ok := synth.PersonaByKey(synth.PersonaEmployee)
	if !ok {
		t.Fatal("no employee persona in the synthetic Denmark")
	}
	emp.CPR = ids.MustCPR(unknownCPR)

	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	first := time.Now().AddDate(0, 0, -6)
	employerReportToCheck(t, ctx, emp, first, time.Now().AddDate(-4, 0, 0), "200,00", "Lone Løn", "lone@example.dk")
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	run(t, ctx, "send", chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	receipt := text(t, ctx, "#receipt-number")
	if st := text(t, ctx, "#receipt"); !strings.Contains(st, "Vi har modtaget din anmeldelse og kontrollerer den nu") || strings.Contains(st, "sendt videre til") {
		t.Errorf("the receipt right after sending: %q", st)
	}

	run(t, ctx, "the receipt turns rejected", chromedp.WaitVisible(`#receipt[data-state="rejected"]`, chromedp.ByQuery))
	if st := text(t, ctx, "#receipt"); !strings.Contains(st, "Anmeldelsen er afvist") || !strings.Contains(st, "Anmeldelsen er ikke sendt videre, fordi:") {
		t.Errorf("the rejected receipt: %q", st)
	}
	reasons := texts(t, ctx, "#receipt-reasons li")
	// A reason names its field by the form's label, not the schema's key.
	if len(reasons) == 0 || strings.Contains(strings.Join(reasons, " "), "undefined") || !strings.Contains(strings.Join(reasons, " "), "(Felt: Medarbejderens CPR-nummer)") {
		t.Errorf("the rejection's reasons on the receipt: %q", reasons)
	}
	// A rejected report goes nowhere: "what happens now" says so instead of
	// the municipality's next steps.
	if next := text(t, ctx, "#receipt-next"); !strings.HasPrefix(next, "Blanketten bliver ikke behandlet") || strings.Contains(next, "Digital Post") {
		t.Errorf("what happens next after a rejection: %q", next)
	}
	checkPage(t, ctx, "22-receipt-rejected")
	setLang(t, ctx, "en")
	if st := text(t, ctx, "#receipt"); !strings.Contains(st, "The report has been rejected") {
		t.Errorf("the rejected receipt in English: %q", st)
	}
	setLang(t, ctx, "da")

	// The overview: the row is an error badge "Afvist" with the way to the reasons.
	row := `#absences tbody tr[data-status="rejected"]`
	open(t, ctx, "/nemrefusion?q="+receipt)
	reloadUntil(t, ctx, "/nemrefusion?q="+receipt, row, 30*time.Second)
	if r := text(t, ctx, row); !strings.Contains(r, receipt) || !strings.Contains(r, "Afvist") || !strings.Contains(r, "Se afvisningen") {
		t.Errorf("the rejected row: %q", r)
	}
	// Which employee and days the refused report was about, as the clerk
	// typed them: the CPR masked (the registers do not know it) and the
	// first absence day.
	if p, d := text(t, ctx, row+" .js-person"), text(t, ctx, row+" .js-days"); !strings.HasSuffix(p, unknownCPR[:6]+"-xxxx") ||
		!strings.HasPrefix(d, first.Format("02.01.2006")) {
		t.Errorf("the rejected row's person %q and days %q", p, d)
	}
	if n := len(texts(t, ctx, row+" .badge.badge-error")); n != 1 {
		t.Errorf("the rejected row has %d error badges, want 1", n)
	}
	checkPage(t, ctx, "23-overview-rejected")

	clickMove(t, ctx, row+` a[href^="/nemrefusion/fravaer/"]`)
	run(t, ctx, "the case's rejection", chromedp.WaitVisible(`#rejections`, chromedp.ByQuery))
	box := strings.Join(strings.Fields(text(t, ctx, "#rejections")), " ")
	if !strings.Contains(box, "Anmeldelsen er afvist") || !strings.Contains(box, receipt) {
		t.Errorf("the case's rejection box: %q", box)
	}
	for _, r := range reasons {
		if !strings.Contains(box, r) {
			t.Errorf("the case does not show the reason %q the receipt showed: %q", r, box)
		}
	}
	// A rejected report is no case at a municipality: no period that never
	// began, no "not registered yet", no empty decisions and payments.
	if m := text(t, ctx, "main"); strings.Contains(m, "undefined") || strings.Contains(m, "endnu ikke raskmeldt") ||
		strings.Contains(m, "Kommunen har ikke registreret sagen endnu") || strings.Contains(m, "Udbetalinger") {
		t.Errorf("the rejected case: %q", m)
	}
	checkPage(t, ctx, "24-case-rejected")

	// Beskeder: the rejection is a message naming the form, the receipt
	// and the same reasons, as a list, with the way to the case.
	msg := `#messages-list tr[data-kind="blanket-rejected"][data-receipt="` + receipt + `"]`
	reloadUntil(t, ctx, "/nemrefusion/beskeder", msg, 30*time.Second)
	if m := text(t, ctx, msg); !strings.Contains(m, "Afvist: Sygefravær og anmodning om refusion") || !strings.Contains(m, receipt) || !strings.Contains(m, "Se sagen") {
		t.Errorf("the rejection's message: %q", m)
	}
	got := texts(t, ctx, msg+" .message-reasons li")
	if strings.Join(got, "|") != strings.Join(reasons, "|") {
		t.Errorf("the message's reasons %q, the receipt's %q", got, reasons)
	}
	checkPage(t, ctx, "28-messages-rejected")
	setLang(t, ctx, "en")
	if m := text(t, ctx, msg); !strings.Contains(m, "Rejected: ") || strings.Contains(m, "Afvist") {
		t.Errorf("the rejection's message in English: %q", m)
	}
	setLang(t, ctx, "da")
}

// seedReports posts, as the demo employer and in parallel, n reports per
// employee (first absence days a week apart), and returns their receipts.
func seedReports(t *testing.T, personas []string, n int) []string {
	t.Helper()
	tok, err := stack.Issuer().PersonaToken(devissuer.PersonaEmployer)
	if err != nil {
		t.Fatal(err)
	}
	type job struct {
		p     synth.Persona
		first time.Time
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var receipts []string
	var errs []string
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				data := events.SicknessEmployerReport{CPR: j.p.CPR.String(), CVR: j.p.CVR.String(), PNumber: j.p.PNumber.String(),
					FirstAbsenceDay: j.first.Format(time.DateOnly), WeeklyHours: 37, WagesPaid: true, HourlyEarnings: 215.5,
					EmployedSince: "2018-02-01", Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Lone Løn"}}
				ev, _ := json.Marshal(map[string]any{"specversion": "1.0", "type": events.SicknessEmployerReported, "source": "/browser-test/seed", "id": uuid.NewString(),
					"datacontenttype": "application/json", "data": data})
				var rc struct {
					Receipt string `json:"receipt"`
				}
				// A 503 (the stack busy) is retried with the same event, as
				// a payroll system would; the front door is idempotent.
				var err error
				for try := 0; try < 6; try++ {
					if try > 0 {
						time.Sleep(time.Duration(try) * 500 * time.Millisecond)
					}
					req, _ := http.NewRequest(http.MethodPost, stack.Get().URL()+"/api/v1/events", bytes.NewReader(ev))
					req.Header.Set("Authorization", "Bearer "+tok)
					req.Header.Set("Content-Type", "application/cloudevents+json")
					var resp *http.Response
					if resp, err = http.DefaultClient.Do(req); err != nil {
						continue
					}
					err = json.NewDecoder(resp.Body).Decode(&rc)
					resp.Body.Close()
					if resp.StatusCode == http.StatusServiceUnavailable {
						err = fmt.Errorf("status %d", resp.StatusCode)
						continue
					}
					if err == nil && resp.StatusCode != http.StatusAccepted {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
					break
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err.Error())
				} else {
					receipts = append(receipts, rc.Receipt)
				}
				mu.Unlock()
			}
		}()
	}
	for _, key := range personas {
		p, ok := synth.PersonaByKey(key)
		if !ok {
			t.Fatalf("no persona %s", key)
		}
		for i := range n {
			jobs <- job{p, time.Now().AddDate(0, 0, -3-7*i)}
		}
	}
	close(jobs)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d reports were not accepted: %v", len(errs), len(personas)*n, errs[0])
	}
	return receipts
}

// absenceCount waits until the overview at path lists at least n rows in
// total (the count line "Viser a–b af N") and the total holds still for a
// second, and returns N.
func absenceCount(t *testing.T, ctx context.Context, path string, n int, within time.Duration) int {
	t.Helper()
	re := regexp.MustCompile(`af (\d+)$`)
	deadline := time.Now().Add(within)
	last := -1
	for {
		open(t, ctx, path)
		var s string
		run(t, ctx, "count", chromedp.Evaluate(`document.querySelector('#absences-count')?.textContent.trim() || ''`, &s))
		total := -1
		if m := re.FindStringSubmatch(s); m != nil {
			fmt.Sscan(m[1], &total)
		} else if n == 0 && s == "" {
			total = 0 // an empty list has no count line
		}
		// At least n, and the same on two reads a second apart: the stack
		// has settled, so the pages that follow do not shift.
		if total >= n && total == last {
			return total
		}
		last = total
		if time.Now().After(deadline) {
			shot(t, ctx, "failure-"+sanitize(t.Name()))
			t.Fatalf("%s never counted %d absences (last: %q)", path, n, s)
		}
		time.Sleep(time.Second)
	}
}

// downloads lets the browser save downloads to a fresh directory.
func downloads(t *testing.T, ctx context.Context) string {
	t.Helper()
	dir := t.TempDir()
	run(t, ctx, "allow downloads", cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir))
	return dir
}

// downloaded waits for a finished file in dir (none of Chromium's
// .crdownload parts) and returns its path.
func downloaded(t *testing.T, dir string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			if !strings.HasSuffix(f.Name(), ".crdownload") {
				if info, err := f.Info(); err == nil && info.Size() > 0 {
					return filepath.Join(dir, f.Name())
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return ""
}

// The overview over 150 absences: a search by the employee's name finds
// only theirs (server-side q), the list comes in pages of 50 with DKFDS
// pagination, page 2 shows the next 50, and "Hent som CSV" saves the
// filtered list with the contract's header row.
func TestSenderSearchesAndPagesTheWorkList(t *testing.T) {
	personas := []string{synth.PersonaDigitalPostExempt, synth.PersonaAbroad, synth.PersonaEnglish, synth.PersonaMoved}
	ctx := browser(t, 5*time.Minute)
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	// The employer's list is shared with the other tests of this stack: count
	// what is there first, so the wait below is for this test's 152 (a wait
	// for "at least 152" returned while they were still landing, and the
	// rows arriving between page 1 and page 2 shifted the pages).
	before := absenceCount(t, ctx, "/nemrefusion", 0, 30*time.Second)
	seedReports(t, personas, 38) // 152 absences
	total := absenceCount(t, ctx, "/nemrefusion", before+152, 90*time.Second)
	page1 := texts(t, ctx, "#absences tbody tr .js-receipt")
	if len(page1) != 50 {
		t.Errorf("page 1 lists %d rows, want 50", len(page1))
	}
	if c := text(t, ctx, "#absences-count"); c != fmt.Sprintf("Viser 1–50 af %d", total) {
		t.Errorf("count on page 1: %q", c)
	}
	wantPages := (total + 49) / 50
	if n := texts(t, ctx, "#absences-pages .pagination-number a"); len(n) < 3 || n[len(n)-1] != fmt.Sprint(wantPages) {
		t.Errorf("page links %q, the last must be %d", n, wantPages)
	}
	checkPage(t, ctx, "25-overview-pages")
	clickMove(t, ctx, `#absences-pages a[aria-label="Side 2"]`)
	page2 := texts(t, ctx, "#absences tbody tr .js-receipt")
	if len(page2) != 50 {
		t.Errorf("page 2 lists %d rows, want 50", len(page2))
	}
	if c := text(t, ctx, "#absences-count"); c != fmt.Sprintf("Viser 51–100 af %d", total) {
		t.Errorf("count on page 2: %q", c)
	}
	seen := map[string]bool{}
	for _, r := range page1 {
		seen[r] = true
	}
	for _, r := range page2 {
		if seen[r] {
			t.Errorf("%q is on both page 1 and page 2", r)
		}
	}
	if cur := text(t, ctx, `#absences-pages a[aria-current="page"]`); cur != "2" {
		t.Errorf("the current page is marked %q", cur)
	}

	// Search by name (server-side): only Inge Mortensen's 38 absences.
	open(t, ctx, "/nemrefusion")
	fill(t, ctx, map[string]string{"#search-q": "inge mortensen"})
	clickMove(t, ctx, `#search-submit`)
	var loc string
	run(t, ctx, "location", chromedp.Location(&loc))
	if !strings.Contains(loc, "q=inge+mortensen") {
		t.Errorf("the search is in the address: %s", loc)
	}
	names := texts(t, ctx, "#absences tbody tr .js-person")
	if len(names) != 38 {
		t.Errorf("the search finds %d rows, want 38", len(names))
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "Inge Mortensen") || !regexp.MustCompile(`\d{6}-xxxx$`).MatchString(n) {
			t.Errorf("a found row: %q (name and masked CPR)", n)
		}
	}
	if c := text(t, ctx, "#absences-count"); c != "Viser 1–38 af 38" {
		t.Errorf("count of the search: %q", c)
	}
	var pages bool
	run(t, ctx, "no pagination", chromedp.Evaluate(`!!document.querySelector('#absences-pages')`, &pages))
	if pages {
		t.Error("38 rows need no pagination")
	}
	checkPage(t, ctx, "26-overview-search")

	// The searched list as CSV.
	dir := downloads(t, ctx)
	run(t, ctx, "csv", chromedp.Click(`#absences-csv`, chromedp.ByQuery))
	f := downloaded(t, dir, 20*time.Second)
	if f == "" {
		t.Fatal("no CSV was downloaded")
	}
	raw, _ := os.ReadFile(f)
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(raw), "\r\n", "\n")), "\n")
	if lines[0] != "receipt,blanket,name,cprMasked,firstAbsenceDay,lastAbsenceDay,status,recipientName,nextDeadline,sentAt" {
		t.Errorf("CSV header: %q", lines[0])
	}
	if len(lines) != 39 {
		t.Errorf("CSV has %d data rows, want 38", len(lines)-1)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, "Inge Mortensen") {
			t.Errorf("CSV row outside the search: %q", l)
		}
	}
}

// The receipt's "Download kvittering (PDF)" saves the receipt letter; its
// text (pdftotext) names the receipt number.
func TestSenderDownloadsTheReceiptPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext (poppler-utils) is needed: %v", err)
	}
	ctx := browser(t, 5*time.Minute)
	emp, ok := synth.PersonaByKey(synth.PersonaNemSMS)
	if !ok {
		t.Fatal("no nemsms persona in the synthetic Denmark")
	}
	open(t, ctx, "/")
	login(t, ctx, "#login-sender", "employer")
	employerReportToCheck(t, ctx, emp, time.Now().AddDate(0, 0, -5), time.Now().AddDate(-5, 0, 0), "210,00", "Lone Løn", "lone@example.dk")
	run(t, ctx, "preview drawn", chromedp.WaitVisible(`#preview-box h2`, chromedp.ByQuery))
	run(t, ctx, "send", chromedp.Click(`#send-report`, chromedp.ByQuery), chromedp.WaitVisible(`#receipt-number`, chromedp.ByQuery), waitPage())
	receipt := text(t, ctx, "#receipt-number")

	// The letter is written right after the receipt: downloadPDF tries
	// again for a while.
	f, pdf := downloadPDF(t, ctx)
	if filepath.Base(f) != "kvittering-"+receipt+".pdf" {
		t.Errorf("downloaded as %s", filepath.Base(f))
	}
	if !strings.Contains(pdf, receipt) {
		t.Errorf("the PDF's text does not name the receipt %s:\n%s", receipt, pdf)
	}
	checkPage(t, ctx, "27-receipt-pdf")
}
