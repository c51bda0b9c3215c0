package delivery_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
)

// Items land in their recipient's stream once per item id, gapless and in
// order even when posted concurrently; fetch pages with a cursor; the
// acknowledgement records every delivered item in its absence's ledger
// stream; another municipality is refused.
func TestStreamExactlyOnceInOrderFetchAndAck(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	const n = 20
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", "12345674", i))
		}(i)
	}
	wg.Wait()
	// The same item again (a new event with the same item id) is not a new item.
	f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", "12345674", 3))
	// An item for another recipient does not show in 101's stream.
	f.mustPost(events.DeliveryRequested, absence, report(absence, "147", "citizen.answer", "", 1))

	cs := caseSystem("101")
	var page delivery.Page
	if code := f.call("GET", "/api/v1/deliveries/101?limit=7", &cs, nil, &page); code != http.StatusOK {
		t.Fatalf("fetch: %d", code)
	}
	if len(page.Items) != 7 || !page.More || page.Cursor != "7" || page.Delivered != "0" {
		t.Fatalf("first page: %d items, more %v, cursor %s, delivered %s", len(page.Items), page.More, page.Cursor, page.Delivered)
	}
	seen := map[string]bool{}
	var all []events.DeliveryItemData
	after := "0"
	for {
		var p delivery.Page
		if code := f.call("GET", "/api/v1/deliveries/101?limit=6&after="+after, &cs, nil, &p); code != http.StatusOK {
			t.Fatalf("fetch after %s: %d", after, code)
		}
		all = append(all, p.Items...)
		after = p.Cursor
		if !p.More {
			break
		}
	}
	if len(all) != n {
		t.Fatalf("%d items in the stream, want %d", len(all), n)
	}
	for i, it := range all {
		if it.Seq != int64(i+1) || seen[it.ItemID] || it.Recipient != "101" || !it.Feedback {
			t.Fatalf("item %d: %+v", i, it)
		}
		seen[it.ItemID] = true
	}

	// Acknowledge the first 5, then all; acknowledging again is harmless.
	var ack delivery.AckResult
	if code := f.call("POST", "/api/v1/deliveries/101/ack", &cs, delivery.AckRequest{Cursor: "5"}, &ack); code != http.StatusOK || ack.NewlyDelivered != 5 {
		t.Fatalf("ack 5: %d %+v", code, ack)
	}
	if code := f.call("POST", "/api/v1/deliveries/101/ack", &cs, delivery.AckRequest{Cursor: after}, &ack); code != http.StatusOK || ack.NewlyDelivered != n-5 {
		t.Fatalf("ack all: %d %+v", code, ack)
	}
	if code := f.call("POST", "/api/v1/deliveries/101/ack", &cs, delivery.AckRequest{Cursor: "3"}, &ack); code != http.StatusOK || ack.NewlyDelivered != 0 || ack.Delivered != after {
		t.Fatalf("ack again: %d %+v", code, ack)
	}
	if code := f.call("POST", "/api/v1/deliveries/101/ack", &cs, delivery.AckRequest{Cursor: "999"}, nil); code != http.StatusConflict {
		t.Fatalf("ack beyond the stream: %d", code)
	}
	// Default fetch continues after the acknowledged cursor.
	if f.call("GET", "/api/v1/deliveries/101", &cs, nil, &page); len(page.Items) != 0 || page.Delivered != after {
		t.Fatalf("after ack: %+v", page)
	}
	recs := f.entries(absence)
	if got := countType(recs, events.DeliveryDelivered); got != n {
		t.Fatalf("%d delivered entries in the ledger, want %d", got, n)
	}
	if got := countType(recs, events.DeliveryRequested); got != n+1 {
		t.Fatalf("%d requested entries, want %d (20 items for 101, 1 for 147)", got, n+1)
	}
	if got := len(f.Sink.OfType(events.DeliveryDelivered)); got != n {
		t.Fatalf("%d delivered events published, want %d", got, n)
	}

	// Another municipality, a citizen and an employer see nothing of 101's stream.
	other := caseSystem("147")
	emp := employer("12345674")
	deniedHead := int64(0)
	if recs := f.entries(auth.StreamAccessDenied); len(recs) > 0 {
		deniedHead = recs[len(recs)-1].Seq
	}
	strangers := []auth.Claims{other, caseworker("147"), emp}
	for _, c := range strangers {
		if code := f.call("GET", "/api/v1/deliveries/101", &c, nil, nil); code != http.StatusForbidden {
			t.Errorf("%s fetched 101's stream: %d", c.Role, code)
		}
		if code := f.call("POST", "/api/v1/deliveries/101/ack", &c, delivery.AckRequest{Cursor: "1"}, nil); code != http.StatusForbidden {
			t.Errorf("%s acknowledged 101's stream: %d", c.Role, code)
		}
	}
	// The access-denied stream is shared with other tests: count only the
	// entries after its head of before, by these principals.
	denied := 0
	for _, r := range f.entries(auth.StreamAccessDenied) {
		for _, c := range strangers {
			if r.Seq > deniedHead && r.EventType == auth.EventAccessDenied && r.Actor == c.Subject {
				denied++
			}
		}
	}
	// At least these six: tests running in parallel may be refused as the
	// same principals meanwhile.
	if denied < 6 {
		t.Errorf("%d denials by these principals in the ledger, want 6", denied)
	}
	var mine delivery.Page
	if f.call("GET", "/api/v1/deliveries/147", &other, nil, &mine); len(mine.Items) != 1 || mine.Items[0].Feedback {
		t.Fatalf("147's stream: %+v", mine)
	}
	if code := f.call("GET", "/api/v1/deliveries/101", nil, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", code)
	}
}

// A caseworker opens an item of their municipality's stream; the opening is
// an access entry in the ledger. Another municipality's caseworker is
// refused.
func TestCaseworkerOpensItemAndTheLedgerSaysSo(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	req := report(absence, "101", "sickness.report", "12345674", 1)
	f.mustPost(events.DeliveryRequested, absence, req)
	cw := caseworker("101")
	var it events.DeliveryItemData
	path := "/api/v1/deliveries/101/items/" + (&url.URL{Path: req.ItemID}).EscapedPath()
	if code := f.call("GET", path, &cw, nil, &it); code != http.StatusOK || it.ItemID != req.ItemID || !sameJSON(t, it.Payload, req.Payload) {
		t.Fatalf("open: %d %+v %s", code, it, it.Payload)
	}
	reads := f.entries(auth.ReadStream(absence))
	if len(reads) != 1 || reads[0].Actor != "cw-101" || reads[0].EventType != auth.EventAccessRead {
		t.Fatalf("read entries: %+v", reads)
	}
	other := caseworker("147")
	if code := f.call("GET", path, &other, nil, nil); code != http.StatusForbidden {
		t.Fatalf("other municipality opened the item: %d", code)
	}
	if code := f.call("GET", "/api/v1/deliveries/101/items/nope", &cw, nil, nil); code != http.StatusNotFound {
		t.Fatalf("missing item: %d", code)
	}
	if len(f.entries(auth.ReadStream(absence))) != 1 {
		t.Fatal("refused or missing reads must not count as reads")
	}
}

// Invalid requests go to the dead letter (400), never into a stream.
func TestInvalidDeliveryRequestsAreRefused(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := newAbsence()
	for name, req := range map[string]events.DeliveryRequest{
		"unknown municipality": {ItemID: "x1", Recipient: "999", Kind: "sickness.report", CaseRef: absence, Payload: itemPayload("sickness.report", absence, 1)},
		"no item id":           {Recipient: "101", Kind: "sickness.report", CaseRef: absence, Payload: itemPayload("sickness.report", absence, 1)},
	} {
		if code := f.post(events.DeliveryRequested, absence, req, nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d", name, code)
		}
	}
	cs := caseSystem("101")
	var page delivery.Page
	if f.call("GET", "/api/v1/deliveries/101", &cs, nil, &page); len(page.Items) != 0 {
		t.Fatalf("stream: %+v", page)
	}
	_ = fmt.Sprint
}
