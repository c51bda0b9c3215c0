package delivery_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
)

// TestIssue16StreamFetchIsLoggedAsARead is issue 16's finding that a
// recipient fetching its stream of deliveries (personal data: the items'
// payloads) left no read in the ledger, while opening one item did. Each
// absence whose items a fetch hands out now gets a read entry naming the
// reader, the recipient and the items; an empty page records nothing.
func TestIssue16StreamFetchIsLoggedAsARead(t *testing.T) {
	t.Parallel()
	f := start(t)
	a, b := newAbsence(), newAbsence()
	for i := 1; i <= 2; i++ {
		f.mustPost(events.DeliveryRequested, a, report(a, "101", "sickness.report", "12345674", i))
	}
	f.mustPost(events.DeliveryRequested, b, report(b, "101", "sickness.report", "12345674", 1))
	cs := caseSystem("101")
	var page delivery.Page
	if code := f.call("GET", "/api/v1/deliveries/101", &cs, nil, &page); code != http.StatusOK || len(page.Items) != 3 {
		t.Fatalf("fetch: %d, %d items", code, len(page.Items))
	}
	for absence, want := range map[string][]string{a: {page.Items[0].ItemID, page.Items[1].ItemID}, b: {page.Items[2].ItemID}} {
		recs := f.entries(auth.ReadStream(absence))
		if len(recs) != 1 || recs[0].EventType != auth.EventAccessRead || recs[0].Actor != cs.Subject {
			t.Fatalf("reads of %s after the fetch: %+v", absence, recs)
		}
		var reason struct {
			Recipient string   `json:"recipient"`
			Items     []string `json:"items"`
		}
		if err := json.Unmarshal(recs[0].Reason, &reason); err != nil || reason.Recipient != "101" || !slices.Equal(reason.Items, want) {
			t.Errorf("read entry of %s: %s", absence, recs[0].Reason)
		}
	}
	// A page with nothing on it reads nothing.
	if code := f.call("GET", "/api/v1/deliveries/101?after=3", &cs, nil, &page); code != http.StatusOK || len(page.Items) != 0 {
		t.Fatalf("empty fetch: %d, %d items", code, len(page.Items))
	}
	if n := len(f.entries(auth.ReadStream(a))); n != 1 {
		t.Errorf("an empty page recorded a read (%d entries)", n)
	}
}
