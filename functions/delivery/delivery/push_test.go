package delivery_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
)

// flakySink fails its first failures requests, then accepts; it keeps every
// request and every accepted item.
type flakySink struct {
	mu       sync.Mutex
	failures int
	seen     []int64 // seq of every request
	accepted []events.DeliveryItemData
	ids      map[int64]string
}

func (s *flakySink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil || in.Type() != events.DeliveryItem {
		http.Error(w, "not a delivery item", http.StatusBadRequest)
		return
	}
	if err := events.Validate(*in); err != nil {
		http.Error(w, "item does not match its schema: "+err.Error(), http.StatusBadRequest)
		return
	}
	var ev struct {
		ID   string
		Data events.DeliveryItemData
	}
	ev.ID = in.ID()
	if err := in.DataAs(&ev.Data); err != nil {
		http.Error(w, "bad data", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, ev.Data.Seq)
	if prev, ok := s.ids[ev.Data.Seq]; ok && prev != ev.ID {
		http.Error(w, "id changed between attempts", http.StatusTeapot)
		return
	}
	s.ids[ev.Data.Seq] = ev.ID
	if s.failures > 0 {
		s.failures--
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	s.accepted = append(s.accepted, ev.Data)
	w.WriteHeader(http.StatusAccepted)
}

func (s *flakySink) snapshot() ([]int64, []events.DeliveryItemData) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.seen...), append([]events.DeliveryItemData(nil), s.accepted...)
}

// A sink that fails for a while still gets every item once, in order; it
// sees an item again only after it failed to answer 2xx, with the same id.
func TestPushSinkFailingForAWhileGetsEverythingOnceInOrder(t *testing.T) {
	t.Parallel()
	sink := &flakySink{failures: 4, ids: map[int64]string{}}
	ss := httptest.NewTLSServer(sink)
	defer ss.Close()
	f := startWith(t, trusting(t, ss))
	absence := newAbsence()
	const n = 6
	for i := 1; i <= 3; i++ {
		f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", "12345674", i))
	}
	cs := caseSystem("101")
	var st delivery.SinkStatus
	if code := f.call("PUT", "/api/v1/deliveries/101/sink", &cs, delivery.SinkRequest{URL: ss.URL + "/ksd"}, &st); code != http.StatusOK || st.URL == "" {
		t.Fatalf("register sink: %d %+v", code, st)
	}
	for i := 4; i <= n; i++ {
		f.mustPost(events.DeliveryRequested, absence, report(absence, "101", "sickness.report", "12345674", i))
	}
	eventually(t, "every item accepted", func() bool { _, acc := sink.snapshot(); return len(acc) >= n })
	time.Sleep(100 * time.Millisecond) // nothing more may come
	seen, acc := sink.snapshot()
	if len(acc) != n {
		t.Fatalf("accepted %d items, want %d", len(acc), n)
	}
	for i, it := range acc {
		if it.Seq != int64(i+1) {
			t.Fatalf("accepted out of order: %v", acc)
		}
	}
	// Item 1 was tried 5 times (4 failures), the others once each.
	want := []int64{1, 1, 1, 1, 1, 2, 3, 4, 5, 6}
	if len(seen) != len(want) {
		t.Fatalf("requests %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("requests %v, want %v", seen, want)
		}
	}
	if f.call("GET", "/api/v1/deliveries/101/sink", &cs, nil, &st); st.Delivered != n || st.Attempts != 0 || st.LastError != "" {
		t.Fatalf("sink status: %+v", st)
	}
	if got := countType(f.entries(absence), events.DeliveryDelivered); got != n {
		t.Fatalf("%d delivered entries, want %d", got, n)
	}
	// Another municipality cannot point 101's stream elsewhere.
	other := caseSystem("147")
	if code := f.call("PUT", "/api/v1/deliveries/101/sink", &other, delivery.SinkRequest{URL: "https://evil.example/"}, nil); code != http.StatusForbidden {
		t.Fatalf("foreign sink registration: %d", code)
	}
	if code := f.call("PUT", "/api/v1/deliveries/101/sink", &cs, delivery.SinkRequest{URL: "ftp://x"}, nil); code != http.StatusBadRequest {
		t.Fatalf("bad sink url: %d", code)
	}
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	t.Parallel()
	base, max := 100*time.Millisecond, time.Second
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {40, time.Second}} {
		got := delivery.Backoff(tc.n, base, max)
		if got < tc.want || got > tc.want+tc.want/10 {
			t.Errorf("Backoff(%d) = %v, want %v (+10%%)", tc.n, got, tc.want)
		}
	}
}
