package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/registers"
)

// fakeCVR is CVR for the tests: company names by CVR number.
type fakeCVR map[string]string

func (c fakeCVR) Company(_ context.Context, cvr ids.CVR) (registers.Company, error) {
	name, ok := c[cvr.String()]
	if !ok {
		return registers.Company{}, registers.ErrNotFound
	}
	return registers.Company{CVR: cvr, Name: name}, nil
}

func (c fakeCVR) PUnit(context.Context, ids.PNumber) (registers.PUnit, error) {
	return registers.PUnit{}, registers.ErrNotFound
}

// inboxOf calls the inbox of recipient with query as c and decodes it.
func (f *fixture) inboxOf(c auth.Claims, recipient, query string) delivery.Inbox {
	f.t.Helper()
	var out delivery.Inbox
	if code := f.call("GET", "/api/v1/deliveries/"+recipient+"/inbox"+query, &c, nil, &out); code != http.StatusOK {
		f.t.Fatalf("inbox %s%s: %d", recipient, query, code)
	}
	return out
}

// Issue 20 (regression): the web inbox paged the case systems' stream
// from its start and showed the last 200 of the first 20,000 items, so
// the newest items vanished once a stream grew and the oldest beyond 200
// were never shown. The inbox route pages on the server, newest first:
// with 330 items the newest is the first row and every item is reached.
// Each absence names its person (name from CPR, CPR number: the
// municipality's own case, sygedagpengeloven § 38 and § 39) and each item
// its sender's company name (CVR).
func TestIssue20InboxPagesEveryItemNewestFirst(t *testing.T) {
	t.Parallel()
	cpr := &fakeCPR{names: map[string]string{}}
	f := start(t, withPersons(cpr), func(c *delivery.Config) { c.Companies = fakeCVR{cvrA: "Testfirma ApS"} })
	const n = 330
	var absences []string
	for i := 1; i <= n; i++ {
		cpr.names[cprOf(i)] = fmt.Sprintf("Person Nummer %03d", i)
		a := newAbsence()
		absences = append(absences, a)
		f.mustPost(events.DeliveryRequested, a, reportOf(a, cvrA, cprOf(i), i))
	}
	// A follow-up of the first absence: that absence is now the newest.
	f.mustPost(events.DeliveryRequested, absences[0], blanketItem(absences[0], "sickness.recovery", "cvr:"+cvrA, n+1, "recovered", "2024-04-01", "2024-04-20"))
	// Another municipality's item is not in København's inbox.
	other := newAbsence()
	f.mustPost(events.DeliveryRequested, other, report(other, "751", "sickness.report", "cvr:"+cvrA, 1))

	cw := caseworker("101")
	first := f.inboxOf(cw, "101", "")
	if first.Total != n || first.Items != n+1 || len(first.Absences) != 20 || !first.More || first.RecipientName != "Københavns Kommune" {
		t.Fatalf("first page: %d absences of %d, %d items, more %v, %q", len(first.Absences), first.Total, first.Items, first.More, first.RecipientName)
	}
	top := first.Absences[0]
	if top.AbsenceID != absences[0] || len(top.Items) != 2 || top.Items[0].Kind != "sickness.recovery" || top.Items[1].Kind != "sickness.report" {
		t.Errorf("the newest item's absence first, its items newest first: %+v", top)
	}
	if top.Person == nil || top.Person.CPR != cprOf(1) || top.Person.Name != "Person Nummer 001" {
		t.Errorf("the person of the absence: %+v", top.Person)
	}
	if it := top.Items[1]; it.SenderName != "Testfirma ApS" || it.Sender != "cvr:"+cvrA || it.Receipt != "NR-2024-00000001" || it.Read || top.Unread != 2 {
		t.Errorf("the report's row: %+v (unread %d)", it, top.Unread)
	}
	if a := first.Absences[1]; a.AbsenceID != absences[n-1] || a.Person == nil || a.Person.Name != fmt.Sprintf("Person Nummer %03d", n) {
		t.Errorf("then the newest report: %+v", a)
	}
	// Paging reaches every item, each once.
	seen := map[string]bool{}
	for off := 0; ; off += 50 {
		page := f.inboxOf(cw, "101", fmt.Sprintf("?offset=%d&limit=50", off))
		for _, a := range page.Absences {
			for _, it := range a.Items {
				if seen[it.ItemID] {
					t.Errorf("item %s on two pages", it.ItemID)
				}
				seen[it.ItemID] = true
			}
		}
		if !page.More {
			break
		}
	}
	if len(seen) != n+1 {
		t.Errorf("paging reached %d items, want %d", len(seen), n+1)
	}
	if !seen[fmt.Sprintf("%s/sickness.report/1", absences[0])] || !seen[fmt.Sprintf("%s/sickness.report/%d", absences[n-1], n)] {
		t.Error("the oldest or the newest report was not reached")
	}
	if past := f.inboxOf(cw, "101", "?offset=400"); len(past.Absences) != 0 || past.Total != n || past.More {
		t.Errorf("past the end: %d absences of %d", len(past.Absences), past.Total)
	}
	// Each page with persons is a read in the ledger naming its absences
	// (the stream is København's: other tests read it too).
	found := false
	for _, rec := range f.entries(auth.ReadStream("recipients/101/inbox")) {
		var reason struct{ Absences []string }
		_ = json.Unmarshal(rec.Reason, &reason)
		if rec.Actor == cw.Subject && len(reason.Absences) == 20 && reason.Absences[0] == absences[0] && reason.Absences[1] == absences[n-1] {
			found = true
		}
	}
	if !found {
		t.Error("the first page's read is not in the ledger")
	}
}

// Issue 20: the read state is the caller's own read of the item in the
// ledger (opening it); listing does not read an item. The inbox is
// filtered by kind, received day and read state; bad filters are field
// errors in Danish and English; another authority's inbox is 404, as one
// that does not exist.
func TestIssue20InboxReadStateFiltersAndTenants(t *testing.T) {
	t.Parallel()
	f := start(t)
	a, b := newAbsence(), newAbsence()
	f.mustPost(events.DeliveryRequested, a, report(a, "101", "sickness.report", "cvr:"+cvrA, 1))
	f.mustPost(events.DeliveryRequested, b, report(b, "101", "sickness.report", "cvr:"+cvrA, 2))
	f.mustPost(events.DeliveryRequested, b, report(b, "101", "citizen.answer", "cpr:120385-xxxx", 3))
	cw, colleague := caseworker("101"), caseworker("101")
	colleague.Subject = "cw-101-other"

	all := f.inboxOf(cw, "101", "")
	if all.Total != 2 || all.Items != 3 || all.Absences[0].AbsenceID != b || all.Absences[0].Unread != 2 {
		t.Fatalf("inbox: %+v", all)
	}
	if p := all.Absences[0].Person; p == nil || p.CPR != "1203854321" {
		t.Errorf("the person of an absence: %+v", p)
	}
	item := a + "/sickness.report/1"
	var opened struct {
		ItemID string                `json:"itemId"`
		Person *delivery.InboxPerson `json:"person"`
	}
	if code := f.call("GET", "/api/v1/deliveries/101/items/"+item, &cw, nil, &opened); code != http.StatusOK || opened.ItemID != item || opened.Person == nil || opened.Person.CPR != "1203854321" {
		t.Fatalf("open the item: %d %+v", code, opened)
	}
	isRead := func(in delivery.Inbox, id string) (bool, bool) {
		for _, x := range in.Absences {
			for _, it := range x.Items {
				if it.ItemID == id {
					return it.Read, true
				}
			}
		}
		return false, false
	}
	if read, ok := isRead(f.inboxOf(cw, "101", ""), item); !ok || !read {
		t.Errorf("the opened item is not read (listed %v)", ok)
	}
	if read, _ := isRead(f.inboxOf(colleague, "101", ""), item); read {
		t.Error("a colleague's read marks the item read for another caseworker")
	}
	if u := f.inboxOf(cw, "101", "?read=unread"); u.Total != 1 || u.Items != 2 || u.Absences[0].AbsenceID != b {
		t.Errorf("unread: %+v", u)
	}
	if r := f.inboxOf(cw, "101", "?read=read"); r.Total != 1 || r.Items != 1 || r.Absences[0].Items[0].ItemID != item {
		t.Errorf("read: %+v", r)
	}
	if k := f.inboxOf(cw, "101", "?kind=citizen.answer"); k.Items != 1 || k.Absences[0].Items[0].Kind != "citizen.answer" || k.Absences[0].Items[0].Task != "comment" {
		t.Errorf("kind filter: %+v", k)
	}
	today := time.Now().In(mustZone(t)).Format(time.DateOnly)
	tomorrow := time.Now().In(mustZone(t)).AddDate(0, 0, 1).Format(time.DateOnly)
	if d := f.inboxOf(cw, "101", "?from="+today+"&to="+today); d.Items != 3 {
		t.Errorf("received today: %d items", d.Items)
	}
	if d := f.inboxOf(cw, "101", "?from="+tomorrow); d.Items != 0 || d.Total != 0 {
		t.Errorf("received from tomorrow: %d items", d.Items)
	}

	var bad struct {
		Fields events.FieldErrors `json:"errors"`
	}
	q := url.Values{"kind": {"Ikke en type!"}, "from": {"3-2-2026"}, "read": {"maybe"}, "limit": {"0"}}
	if code := f.call("GET", "/api/v1/deliveries/101/inbox?"+q.Encode(), &cw, nil, nil); code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
		t.Errorf("bad filters: %d", code)
	}
	r := f.Call(t, "GET", "/api/v1/deliveries/101/inbox?"+q.Encode(), f.Token(t, cw), nil)
	_ = json.Unmarshal(r.Body, &bad)
	got := map[string]bool{}
	for _, e := range bad.Fields {
		got[e.Field] = e.Da != "" && e.En != "" && e.Da != e.En
	}
	for _, field := range []string{"kind", "from", "read", "limit"} {
		if !got[field] {
			t.Errorf("no Danish and English field error for %s: %s", field, r.Body)
		}
	}

	udk := auth.Claims{Subject: "udk-1", Role: auth.RoleUDKCaseworker, LoA: auth.LoASubstantial}
	for _, c := range []auth.Claims{caseworker("751"), udk, employer(cvrA)} {
		if code := f.call("GET", "/api/v1/deliveries/101/inbox", &c, nil, nil); code != http.StatusNotFound {
			t.Errorf("%s reads København's inbox: %d, want 404", c.Role, code)
		}
	}
	if code := f.call("GET", "/api/v1/deliveries/147/inbox", &cw, nil, nil); code != http.StatusNotFound {
		t.Errorf("a caseworker of København reads Ishøj's inbox: %d, want 404", code)
	}
	if in := f.inboxOf(udk, "UDK", ""); in.Total != 0 || in.RecipientName != "Udbetaling Danmark" {
		t.Errorf("UDK's own inbox: %+v", in)
	}
	if r := f.Call(t, "GET", "/api/v1/deliveries/101/inbox", "", nil); r.Status != http.StatusUnauthorized || strings.Contains(string(r.Body), a) {
		t.Errorf("without a token: %d %s", r.Status, r.Body)
	}
}

func mustZone(t *testing.T) *time.Location {
	t.Helper()
	z, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	return z
}
