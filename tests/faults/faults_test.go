package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	pngenc "image/png"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/load"
	"nemrefusion.dk/tests/stack"
)

// loadRate is the submissions per second during a fault: light load, the
// machine is small and shared.
const loadRate = 6

// underLoad runs a retrying client at loadRate for d and, from 2 s in,
// the fault; it returns what the client saw once the fault is over and
// every submission answered.
func underLoad(t *testing.T, d time.Duration, fault func()) *load.Result {
	t.Helper()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(2 * time.Second)
		fault()
	}()
	res, err := load.Run(context.Background(), load.Config{BaseURL: stack.Get().URL(), Dataset: stack.Dataset(), Rate: loadRate, Duration: d,
		Workers: 32, Retry: true, RetryFor: 3 * time.Minute, Source: "/faults/" + t.Name() + "/" + uuid.NewString()[:8]})
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	return res
}

// waitReady waits until the function answers /readyz again.
func waitReady(t *testing.T, name string) {
	t.Helper()
	u := stack.Get().Functions()[name] + "/readyz"
	ok := eventually(time.Minute, func() bool {
		resp, err := http.Get(u)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if !ok {
		t.Errorf("%s not ready a minute after it was killed", name)
	}
}

// Every function in turn is killed with SIGKILL under load; the
// supervisor restarts it.
func TestKillEachFunction(t *testing.T) {
	names := make([]string, 0)
	for n := range stack.Get().Functions() {
		names = append(names, n)
	}
	sort.Strings(names)
	res := underLoad(t, time.Duration(len(names))*2*time.Second+4*time.Second, func() {
		for _, n := range names {
			if err := stack.Get().Kill(n); err != nil {
				t.Error(err)
			}
			time.Sleep(300 * time.Millisecond)
			waitReady(t, n)
			time.Sleep(time.Second)
		}
	})
	reconcile(t, res)
}

// The local broker is stopped for 3 s and started again on its store.
func TestBrokerRestart(t *testing.T) {
	res := underLoad(t, 12*time.Second, func() {
		if err := stack.Get().RestartBroker(3 * time.Second); err != nil {
			t.Error(err)
		}
	})
	reconcile(t, res)
}

// pushSink is a case system's push endpoint that fails while failing is
// set and records what it accepted.
type pushSink struct {
	mu       sync.Mutex
	failing  bool
	failures int
	accepted []events.DeliveryItemData
}

func (s *pushSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil {
		http.Error(w, "not a CloudEvent", http.StatusBadRequest)
		return
	}
	var it events.DeliveryItemData
	if err := ev.DataAs(&it); err != nil {
		http.Error(w, "bad data", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing {
		s.failures++
		http.Error(w, "case system down", http.StatusServiceUnavailable)
		return
	}
	s.accepted = append(s.accepted, it)
}

// Municipality 101's push sink fails for 10 s under load; it then gets
// every item of its stream once, in order, up to the last.
func TestPushSinkFailsForAWhile(t *testing.T) {
	const rcpt = "101"
	sink := &pushSink{}
	srv := stack.PushSink(sink)
	defer srv.Close()
	tok, err := stack.Issuer().PersonaToken(devissuer.PersonaCaseSystem)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"url": srv.URL})
	req, _ := http.NewRequest(http.MethodPut, stack.Get().URL()+"/api/v1/deliveries/"+rcpt+"/sink", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register the sink: %d", resp.StatusCode)
	}
	res := underLoad(t, 16*time.Second, func() {
		sink.mu.Lock()
		sink.failing = true
		sink.mu.Unlock()
		time.Sleep(10 * time.Second)
		sink.mu.Lock()
		sink.failing = false
		sink.mu.Unlock()
	})
	reconcile(t, res)
	pool := db(t)
	last := func() int {
		return count(t, pool, `SELECT last_seq FROM delivery.recipients WHERE recipient = $1`, rcpt)
	}
	if !eventually(2*time.Minute, func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return len(sink.accepted) > 0 && int(sink.accepted[len(sink.accepted)-1].Seq) >= last()
	}) {
		t.Fatalf("the sink did not catch up with the stream (last seq %d)", last())
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	seen := map[string]bool{}
	for i, it := range sink.accepted {
		if seen[it.ItemID] {
			t.Fatalf("item %s pushed twice", it.ItemID)
		}
		seen[it.ItemID] = true
		if i > 0 && it.Seq != sink.accepted[i-1].Seq+1 {
			t.Fatalf("out of order or gap: seq %d after %d", it.Seq, sink.accepted[i-1].Seq)
		}
	}
	if sink.failures == 0 {
		t.Fatal("the sink never failed: the test tested nothing")
	}
	t.Logf("push sink: %d failed pushes, then %d items in order (seq %d–%d)", sink.failures, len(sink.accepted), sink.accepted[0].Seq, sink.accepted[len(sink.accepted)-1].Seq)
}

// PostgreSQL is unreachable for 8 s (every connection broken, none
// accepted) under load.
func TestPostgresStopAndStart(t *testing.T) {
	res := underLoad(t, 16*time.Second, func() {
		pgProxy.down()
		time.Sleep(8 * time.Second)
		if err := pgProxy.up(); err != nil {
			t.Error(err)
		}
	})
	reconcile(t, res)
}

// publishReminders schedules n reminders due in the next few seconds
// straight on the broker (as a producing function would) and returns
// their ids.
func publishReminders(t *testing.T, n int, spread time.Duration) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("faults-%s/%d", uuid.NewString()[:8], i)
		ev, err := events.New(events.ReminderScheduled, "faults", id, events.ReminderSchedule{
			ID: id, Due: time.Now().Add(time.Duration(i) * spread / time.Duration(n)), Kind: "faults",
			Subject:  events.ReminderSubject{Type: events.SubjectCase, ID: id},
			Audience: events.ReminderAudience{Kind: events.AudienceSender, CVR: "30000005"},
			Channels: []string{events.ChannelInbox},
			Message:  events.ReminderMessage{TitleDa: "Påmindelse", TitleEn: "Reminder", BodyDa: "fejltest", BodyEn: "fault test"},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		toBroker(t, ev)
		ids = append(ids, id)
	}
	return ids
}

func toBroker(t *testing.T, ev cloudevents.Event) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, stack.Get().BrokerURL(), nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("broker ingress: %d", resp.StatusCode)
	}
}

// Redis is flushed and killed (it keeps nothing) while reminders come due
// and blankets arrive, and started again empty 3 s later: every reminder
// fires exactly once and reaches the sender's inbox once.
func TestRedisFlushAndRestart(t *testing.T) {
	ids := publishReminders(t, 40, 20*time.Second)
	res := underLoad(t, 16*time.Second, func() {
		if _, err := redis.cli("FLUSHALL"); err != nil {
			t.Error(err)
		}
		redis.crash()
		time.Sleep(3 * time.Second)
		if err := redis.start(); err != nil {
			t.Error(err)
		}
	})
	reconcile(t, res)
	pool := db(t)
	fired := func() int {
		return count(t, pool, `SELECT count(*) FROM reminder.reminders WHERE id = ANY($1) AND status = 'fired'`, ids)
	}
	if !eventually(2*time.Minute, func() bool { return fired() == len(ids) }) {
		t.Fatalf("%d of %d reminders fired", fired(), len(ids))
	}
	inbox := func() int {
		return count(t, pool, `SELECT count(*) FROM waiting.sender_inbox WHERE reminder_id = ANY($1)`, ids)
	}
	eventually(time.Minute, func() bool { return inbox() >= len(ids) })
	time.Sleep(3 * time.Second) // a second firing would have arrived by now
	if n := inbox(); n != len(ids) {
		t.Fatalf("%d inbox messages for %d reminders", n, len(ids))
	}
	if n := count(t, pool, `SELECT count(*) FROM reminder.outbox WHERE event_type = $1 AND event->'data'->>'id' = ANY($2)`, events.ReminderDue, ids); n != len(ids) {
		t.Fatalf("%d reminder.due events for %d reminders", n, len(ids))
	}
}

// upload posts a small PNG as the employer persona and returns the
// document id (retrying while the answer is a clear 503).
func upload(t *testing.T, tok string, i int) (string, int) {
	t.Helper()
	// A well-formed PNG of its own (nothing may follow IEND): its pixels
	// are a fresh UUID, so no two uploads are the same bytes.
	img := image.NewNRGBA(image.Rect(0, 0, 4, 1))
	u := uuid.New()
	copy(img.Pix, u[:])
	var pb bytes.Buffer
	if err := pngenc.Encode(&pb, img); err != nil {
		t.Fatal(err)
	}
	png := pb.Bytes()
	for attempt := 1; ; attempt++ {
		var b bytes.Buffer
		w := multipartWriter(&b, png, fmt.Sprintf("bilag-%d.png", i))
		req, _ := http.NewRequest(http.MethodPost, stack.Get().URL()+"/api/v1/documents", &b)
		req.Header.Set("Content-Type", w)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			ID string `json:"id"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2:
			return out.ID, attempt
		case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" && attempt < 120:
			time.Sleep(time.Second)
		default:
			t.Fatalf("upload %d: %d (attempt %d)", i, resp.StatusCode, attempt)
		}
	}
}

// MinIO and clamd are unreachable for 10 s under load while documents
// are uploaded: the blankets' letters wait for the store, the uploads
// are refused with a clear 503 or wait in quarantine, and afterwards every
// document is scanned and accepted exactly once.
func TestMinIOAndClamAVDown(t *testing.T) {
	tok, err := stack.Issuer().PersonaToken(devissuer.PersonaEmployer)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	var mu sync.Mutex
	res := underLoad(t, 16*time.Second, func() {
		s3Proxy.down()
		clamdProxy.down()
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, _ := upload(t, tok, i)
				mu.Lock()
				docs = append(docs, id)
				mu.Unlock()
			}()
			time.Sleep(time.Second)
		}
		time.Sleep(4 * time.Second)
		if err := s3Proxy.up(); err != nil {
			t.Error(err)
		}
		if err := clamdProxy.up(); err != nil {
			t.Error(err)
		}
		wg.Wait()
	})
	reconcile(t, res)
	pool := db(t)
	accepted := func() int {
		return count(t, pool, `SELECT count(*) FROM documents.outbox WHERE event_type = $1 AND event->'data'->>'documentId' = ANY($2)`, events.DocumentAccepted, docs)
	}
	if !eventually(2*time.Minute, func() bool { return accepted() >= len(docs) }) {
		t.Fatalf("%d of %d documents accepted after the store and the scanner came back", accepted(), len(docs))
	}
	time.Sleep(3 * time.Second)
	if n := accepted(); n != len(docs) {
		t.Fatalf("%d document.accepted events for %d documents", n, len(docs))
	}
	if strings.Contains(fmt.Sprint(docs), `""`) {
		t.Fatalf("an upload got no id: %v", docs)
	}
}
