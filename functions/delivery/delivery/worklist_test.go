package delivery_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// fakeCPR is CPR for the tests: names by CPR number, and an outage switch.
type fakeCPR struct {
	mu    sync.Mutex
	names map[string]string
	asked []string
	down  atomic.Bool
}

func (c *fakeCPR) Person(_ context.Context, cpr ids.CPR) (registers.Person, error) {
	if c.down.Load() {
		return registers.Person{}, &registers.UnavailableError{Register: "cpr", Err: fmt.Errorf("down")}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, cpr.String())
	name, ok := c.names[cpr.String()]
	if !ok {
		return registers.Person{}, registers.ErrNotFound
	}
	return registers.Person{CPR: cpr, Name: name}, nil
}

func withPersons(p registers.PersonRegister) func(*delivery.Config) {
	return func(c *delivery.Config) { c.Persons = p }
}

// cprOf is test person n's CPR number (born 1980–81, valid dates).
func cprOf(n int) string {
	return fmt.Sprintf("%02d%02d%02d%04d", n%28+1, n%12+1, 80+n/200, 1000+n)
}

// reportOf is a first sickness report of absence about the person with
// the given CPR, with receipt n, sent by cvr.
func reportOf(absence, cvr, cpr string, n int) events.DeliveryRequest {
	req := blanketItem(absence, "sickness.report", "cvr:"+cvr, n, "reported", "2024-04-01", "")
	var p map[string]any
	if err := json.Unmarshal(req.Payload, &p); err != nil {
		panic(err)
	}
	p["submission"].(map[string]any)["cpr"] = cpr
	req.Payload, _ = json.Marshal(p)
	return req
}

func rejection(absence, cvr, receipt string) events.BlanketRejection {
	return events.BlanketRejection{CaseID: absence, Blanket: events.SicknessEmployerReported, Sender: "cvr:" + cvr, Receipt: receipt,
		Errors: events.FieldErrors{{Field: "cpr", Code: "unknown-person", Da: "CPR-nummeret findes ikke.", En: "The CPR number does not exist."}}}
}

// list calls the list with query and decodes it.
func (f *fixture) list(c auth.Claims, query string) delivery.AbsenceList {
	f.t.Helper()
	var out delivery.AbsenceList
	if code := f.call("GET", "/api/v1/feedback/absences"+query, &c, nil, &out); code != http.StatusOK {
		f.t.Fatalf("list %s: %d", query, code)
	}
	return out
}

// Issue 18, item 1 (executive order § 1 stk. 3: senders follow their
// cases): a submission the rules rejected after intake gave it a receipt
// is a row of the sender's list with status "rejected" and the reasons,
// stored once however often the rejection arrives; the absence view
// answers it with its rejections. Another CVR sees none of it.
func TestIssue18RejectedSubmissionsAreListedWithReasons(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	rej := rejection(absence, cvrA, "NR-2024-00000777")
	rej.CPR, rej.FirstAbsenceDay, rej.LastAbsenceDay = cprOf(7), "2024-03-04", "2024-03-20"
	f.mustPost(events.BlanketRejected, absence, rej)
	f.mustPost(events.BlanketRejected, absence, rej) // a new event id, the same rejection
	f.mustPost(events.BlanketRejected, "x", rejection(newAbsence(), cvrB, "NR-2024-00000778"))

	emp := employer(cvrA)
	list := f.list(emp, "")
	if list.Total != 1 || len(list.Absences) != 1 {
		t.Fatalf("list of %s: %+v", cvrA, list)
	}
	a := list.Absences[0]
	if a.Status != "rejected" || a.Receipt != rej.Receipt || a.Blanket != rej.Blanket || a.AbsenceID != absence || a.SentAt.IsZero() ||
		!slices.Equal(a.Reasons, rej.Errors) || a.NextAction.Code != "resubmit" {
		t.Errorf("rejected row: %+v", a)
	}
	// Whom and when the refused report was about, as the sender gave them:
	// the CPR masked and no name from the registers.
	if a.FirstAbsenceDay != "2024-03-04" || a.LastAbsenceDay != "2024-03-20" || a.Person == nil ||
		a.Person.CPRMasked != cprOf(7)[:6]+"-xxxx" || a.Person.Name != "" {
		t.Errorf("rejected row's person and days: %+v %+v", a, a.Person)
	}
	if l := f.list(emp, "?q="+cprOf(7)); l.Total != 1 {
		t.Errorf("search by the rejected report's CPR: %d rows", l.Total)
	}
	if l := f.list(emp, "?status=rejected"); l.Total != 1 {
		t.Errorf("status=rejected: %d rows", l.Total)
	}
	if l := f.list(emp, "?status=delivered"); l.Total != 0 {
		t.Errorf("status=delivered: %d rows", l.Total)
	}

	var v delivery.AbsenceView
	if code := f.call("GET", "/api/v1/feedback/absences/"+absence, &emp, nil, &v); code != http.StatusOK {
		t.Fatalf("view: %d", code)
	}
	if v.Status != "rejected" || len(v.Rejections) != 1 || v.Rejections[0].Receipt != rej.Receipt || !slices.Equal(v.Rejections[0].Reasons, rej.Errors) {
		t.Errorf("view: %+v", v)
	}

	// The foreign tenant sees nothing: not in its list, 404 on the view.
	other := employer(cvrB)
	if l := f.list(other, ""); l.Total != 1 || l.Absences[0].Receipt != "NR-2024-00000778" {
		t.Errorf("list of %s: %+v", cvrB, l)
	}
	if code := f.call("GET", "/api/v1/feedback/absences/"+absence, &other, nil, nil); code != http.StatusNotFound {
		t.Errorf("view by %s: %d, want 404", cvrB, code)
	}
}

// Issue 18, item 2: the deadline the rules computed (blanket.decided.v1:
// the sickness report's deadline, sygedagpengeloven § 59, stk. 2) is the
// list's next deadline instead of none; a cancellation removes it.
func TestIssue18RulesDeadlineIsTheNextDeadline(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, reportOf(absence, cvrA, cprOf(1), 1))
	due := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	decided := events.BlanketDecision{CaseID: absence, Blanket: events.SicknessEmployerReported, Sender: "cvr:" + cvrA, Receipt: "NR-2024-00000001",
		Status: "reported", Recipient: "101", Result: events.SicknessResult{AbsenceID: absence, Status: "reported", FirstAbsenceDay: "2024-04-01",
			Refusion: &events.SicknessRefusion{EmployerPeriod: events.EmployerPeriod{Applies: true, From: ptr("2024-04-01"), To: ptr("2024-04-30")},
				RefusionFrom: ptr("2024-05-01"), ReportDeadline: due}}}
	f.mustPost(events.BlanketDecided, absence, decided)
	f.mustPost(events.BlanketDecided, absence, decided)

	emp := employer(cvrA)
	a := f.list(emp, "").Absences[0]
	if a.NextDeadline == nil || a.NextDeadline.Date != due || a.NextDeadline.Source != "rules" || a.NextAction.Code != "deadline" || a.RecipientName != "Københavns Kommune" {
		t.Fatalf("row: %+v (deadline %+v)", a, a.NextDeadline)
	}
	if l := f.list(emp, "?deadlineWithin=19"); l.Total != 0 {
		t.Errorf("deadlineWithin=19: %d rows", l.Total)
	}
	if l := f.list(emp, "?deadlineWithin=20"); l.Total != 1 {
		t.Errorf("deadlineWithin=20: %d rows", l.Total)
	}
	decided.Status, decided.Result = "cancelled", events.SicknessResult{AbsenceID: absence, Status: "cancelled", FirstAbsenceDay: "2024-04-01"}
	f.mustPost(events.BlanketDecided, absence, decided)
	if a := f.list(emp, "").Absences[0]; a.NextDeadline != nil {
		t.Errorf("after cancellation: deadline %+v", a.NextDeadline)
	}
}

// Issue 18, item 2: 150 absences are paged beyond 100 rows with a total,
// searched on the server by the employee's name, CPR (with or without a
// dash) and receipt, exported as CSV, and each list that shows names is
// one read in the ledger.
func TestIssue18ListPagesSearchesAndExports(t *testing.T) {
	t.Parallel()
	cpr := &fakeCPR{names: map[string]string{}}
	f := start(t, withPersons(cpr))
	const n = 150
	for i := 1; i <= n; i++ {
		cpr.names[cprOf(i)] = fmt.Sprintf("Person Nummer %03d", i)
	}
	cpr.names[cprOf(77)] = "Anna Jensen"
	for i := 1; i <= n; i++ {
		a := newAbsence()
		f.mustPost(events.DeliveryRequested, a, reportOf(a, cvrA, cprOf(i), i))
	}
	b := newAbsence()
	f.mustPost(events.DeliveryRequested, b, reportOf(b, cvrB, cprOf(500), 500))
	cpr.names[cprOf(500)] = "Anden Arbejdsgivers Ansat"

	emp := employer(cvrA)
	first := f.list(emp, "")
	if first.Total != n || len(first.Absences) != 50 || !first.More || first.Limit != 50 || first.Offset != 0 {
		t.Fatalf("first page: total %d, %d rows, more %v", first.Total, len(first.Absences), first.More)
	}
	if a := first.Absences[0]; a.Receipt != fmt.Sprintf("NR-2024-%08d", n) || a.Person == nil || a.Person.Name != fmt.Sprintf("Person Nummer %03d", n) ||
		a.Person.CPRMasked != cprOf(n)[:6]+"-xxxx" {
		t.Errorf("newest first with its person: %+v %+v", a, a.Person)
	}
	// Only the sender's own employees were asked for.
	cpr.mu.Lock()
	asked := slices.Contains(cpr.asked, cprOf(500))
	cpr.mu.Unlock()
	if asked {
		t.Error("the list of one CVR asked CPR about another CVR's employee")
	}
	last := f.list(emp, "?offset=140&limit=50")
	if len(last.Absences) != 10 || last.More || last.Total != n || last.Absences[9].Receipt != "NR-2024-00000001" {
		t.Errorf("last page: %d rows, more %v, total %d", len(last.Absences), last.More, last.Total)
	}
	if past := f.list(emp, "?offset=200"); len(past.Absences) != 0 || past.Total != n || past.More {
		t.Errorf("past the end: %+v", past)
	}
	if all := f.list(emp, "?limit=500&sort=sentAt"); len(all.Absences) != n || all.Absences[0].Receipt != "NR-2024-00000001" {
		t.Errorf("limit 500 oldest first: %d rows", len(all.Absences))
	}
	if byName := f.list(emp, "?sort=name&limit=1"); byName.Absences[0].Person.Name != "Anna Jensen" {
		t.Errorf("sort=name: %+v", byName.Absences[0].Person)
	}

	for q, want := range map[string]string{
		"anna":                                cprOf(77),
		"JENSEN":                              cprOf(77),
		cprOf(42):                             cprOf(42),
		cprOf(42)[:6] + "-" + cprOf(42)[6:]:   cprOf(42),
		"nr-2024-00000099":                    cprOf(99),
		"anden arbejdsgivers":                 "",
		cprOf(500)[:6] + "-" + cprOf(500)[6:]: "",
	} {
		l := f.list(emp, "?q="+url.QueryEscape(q))
		switch {
		case want == "" && l.Total != 0:
			t.Errorf("q=%s found another CVR's absence: %d rows", q, l.Total)
		case want != "" && (l.Total != 1 || l.Absences[0].Person == nil || l.Absences[0].Person.CPRMasked != want[:6]+"-xxxx"):
			t.Errorf("q=%s: %d rows", q, l.Total)
		}
	}

	reads := len(f.entries(auth.ReadStream("senders/cvr:" + cvrA + "/absences")))
	f.list(emp, "?limit=3")
	if got := len(f.entries(auth.ReadStream("senders/cvr:" + cvrA + "/absences"))); got != reads+1 {
		t.Errorf("a list with names recorded %d reads, want 1", got-reads)
	}

	tok := f.Token(t, emp)
	r := f.Call(t, "GET", "/api/v1/feedback/absences?format=csv&q=person", tok, nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"receipt", "blanket", "name", "cprMasked", "firstAbsenceDay", "lastAbsenceDay", "status", "recipientName", "nextDeadline", "sentAt"}
	if len(recs) != n || !slices.Equal(recs[0], header) {
		t.Fatalf("csv: %d records (want a header and %d rows), header %v", len(recs), n-1, recs[0])
	}
	if row := recs[1]; row[0] != fmt.Sprintf("NR-2024-%08d", n) || row[2] != fmt.Sprintf("Person Nummer %03d", n) || row[6] != "delivered" || row[7] != "Københavns Kommune" {
		t.Errorf("csv row: %v", row)
	}
}

// Issue 18, item 2: every bad query parameter is a 400 with a field error
// in Danish and English naming it.
func TestIssue18BadListParametersAreFieldErrors(t *testing.T) {
	t.Parallel()
	f := start(t)
	tok := f.Token(t, employer(cvrA))
	for query, field := range map[string]string{
		"limit=0": "limit", "limit=501": "limit", "limit=x": "limit", "offset=-1": "offset", "sort=size": "sort",
		"deadlineWithin=367": "deadlineWithin", "deadlineWithin=-1": "deadlineWithin", "status=Rejected": "status", "status=rejected,": "status",
		"blanket=dk.nemrefusion.unknown.v1": "blanket", "format=xml": "format", "q=" + strings.Repeat("a", 101): "q",
	} {
		r := f.Call(t, "GET", "/api/v1/feedback/absences?"+query, tok, nil)
		var p runtime.Problem
		_ = json.Unmarshal(r.Body, &p)
		if r.Status != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != field || p.Errors[0].Da == "" || p.Errors[0].En == "" {
			t.Errorf("%s: %d %s", query, r.Status, r.Body)
		}
	}
	if r := f.Call(t, "GET", "/api/v1/feedback/absences?status=rejected,delivered&blanket="+events.SicknessEmployerReported+"&deadlineWithin=0&sort=nextDeadline", tok, nil); r.Status != http.StatusOK {
		t.Errorf("good parameters: %d %s", r.Status, r.Body)
	}
}

// Issue 18, item 2: a register outage does not fail the list: the rows
// come with the masked CPR and no name, nothing else changes, and the
// names come once CPR answers again.
func TestIssue18RegisterOutageStillLists(t *testing.T) {
	t.Parallel()
	cpr := &fakeCPR{names: map[string]string{cprOf(3): "Bo Hansen"}}
	cpr.down.Store(true)
	f := start(t, withPersons(cpr))
	a := newAbsence()
	f.mustPost(events.DeliveryRequested, a, reportOf(a, cvrA, cprOf(3), 3))
	emp := employer(cvrA)
	l := f.list(emp, "")
	if l.Total != 1 || l.Absences[0].Person == nil || l.Absences[0].Person.Name != "" || l.Absences[0].Person.CPRMasked != cprOf(3)[:6]+"-xxxx" ||
		l.Absences[0].Status != "delivered" || l.Absences[0].Receipt != "NR-2024-00000003" {
		t.Fatalf("during the outage: %+v", l)
	}
	if l := f.list(emp, "?q=hansen"); l.Total != 0 {
		t.Errorf("a name never learnt was found")
	}
	cpr.down.Store(false)
	if l := f.list(emp, "?q=hansen"); l.Total != 1 || l.Absences[0].Person.Name != "Bo Hansen" {
		t.Errorf("after the outage: %+v", l)
	}
}
