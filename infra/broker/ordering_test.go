package broker

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
)

// TestPartitionKeyOrdering checks that events sharing a partitionkey are
// delivered one at a time in the order they were accepted, while events of
// other keys are delivered alongside them.
func TestPartitionKeyOrdering(t *testing.T) {
	t.Parallel()
	var (
		mu          sync.Mutex
		inFlight    = map[string]int{}
		maxPerKey   = map[string]int{}
		total       int
		maxTotal    int
		orderOfKeyA []string
	)
	slow := newSubscriber(t, func(_ int, ev cloudevents.Event, w http.ResponseWriter) int {
		key, _ := ev.Extensions()["partitionkey"].(string)
		mu.Lock()
		inFlight[key]++
		total++
		maxPerKey[key] = max(maxPerKey[key], inFlight[key])
		maxTotal = max(maxTotal, total)
		if key == "A" {
			orderOfKeyA = append(orderOfKeyA, ev.Extensions()["seq"].(string))
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight[key]--
		total--
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	})
	b := startBroker(t, "dedupe", t.TempDir(), services(map[string]*subscriber{"all": slow}), nil)
	const n = 10
	var want []string
	for i := range n {
		seq := strconv.Itoa(i)
		want = append(want, seq)
		mustPost(t, b.IngressURL("default"), newEvent(typeReported, map[string]string{"partitionkey": "A", "seq": seq}))
		mustPost(t, b.IngressURL("default"), newEvent(typeReported, map[string]string{"partitionkey": "other-" + seq, "seq": seq}))
	}
	eventually(t, 10*time.Second, "all deliveries", func() bool { _, got := slow.counts(); return got == 2*n })
	mu.Lock()
	defer mu.Unlock()
	if maxPerKey["A"] != 1 {
		t.Errorf("key A had %d deliveries in flight at once, want 1", maxPerKey["A"])
	}
	if !slices.Equal(orderOfKeyA, want) {
		t.Errorf("key A delivered in order %v, want %v", orderOfKeyA, want)
	}
	if maxTotal < 2 {
		t.Errorf("at most %d deliveries in flight, want other keys delivered alongside key A", maxTotal)
	}
}
