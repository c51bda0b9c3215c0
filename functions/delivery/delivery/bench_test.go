package delivery_test

import (
	"fmt"
	"net/http"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
)

// BenchmarkEnqueue measures delivery requests through the function's
// CloudEvents receiver into one recipient's stream (inbox, item, ledger
// entry, one transaction each), sequentially.
func BenchmarkEnqueue(b *testing.B) {
	f := start(b)
	absence := newAbsence()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := f.post(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", "12345674", i+1), nil); code/100 != 2 {
			b.Fatalf("status %d", code)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkFetchPage measures fetching a page of 100 items.
func BenchmarkFetchPage(b *testing.B) {
	f := start(b)
	absence := newAbsence()
	for i := 0; i < 500; i++ {
		f.post(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", "12345674", i+1), nil)
	}
	cs := caseSystem("101")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var p delivery.Page
		if code := f.call("GET", fmt.Sprintf("/api/v1/deliveries/101?after=%d&limit=100", (i*100)%400), &cs, nil, &p); code != http.StatusOK || len(p.Items) != 100 {
			b.Fatalf("fetch: %d %d", code, len(p.Items))
		}
	}
}
