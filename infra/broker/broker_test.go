package broker

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const (
	typeReported = "dk.nemrefusion.sickness.reported.v1"
	typeLetter   = "dk.nemrefusion.letter.requested.v1"
)

func TestDeliversOnlyToMatchingTriggers(t *testing.T) {
	t.Parallel()
	sickness, notify, urgent := newSubscriber(t, nil), newSubscriber(t, nil), newSubscriber(t, nil)
	b := startBroker(t, "filter", t.TempDir(),
		services(map[string]*subscriber{"sickness": sickness, "notify": notify, "urgent": urgent}), nil)

	reported := newEvent(typeReported, nil)
	lowLetter := newEvent(typeLetter, map[string]string{"priority": "low"})
	highLetter := newEvent(typeLetter, map[string]string{"priority": "high"})
	plainLetter := newEvent(typeLetter, nil)
	other := newEvent("dk.nemrefusion.other.v1", map[string]string{"priority": "high"})
	for _, ev := range []cloudevents.Event{reported, lowLetter, highLetter, plainLetter, other} {
		mustPost(t, b.IngressURL("default"), ev)
	}

	tests := []struct {
		name string
		sub  *subscriber
		want []string
	}{
		{"type filter", sickness, []string{reported.ID()}},
		{"type filter, any extension", notify, []string{lowLetter.ID(), highLetter.ID(), plainLetter.ID()}},
		{"type and extension filter", urgent, []string{highLetter.ID()}},
	}
	for _, tc := range tests {
		eventually(t, 5*time.Second, tc.name, func() bool { _, n := tc.sub.counts(); return n >= len(tc.want) })
	}
	time.Sleep(300 * time.Millisecond) // let any wrong delivery arrive
	for _, tc := range tests {
		got := tc.sub.acceptedIDs()
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %d events %v, want %v", tc.name, len(got), got, tc.want)
		}
		for _, id := range tc.want {
			if got[id] != 1 {
				t.Errorf("%s: event %s delivered %d times, want 1", tc.name, id, got[id])
			}
		}
	}
	notify.mu.Lock()
	for _, p := range notify.paths {
		if p != "/letters" {
			t.Errorf("notify got path %q, want /letters from the ref's uri", p)
		}
	}
	notify.mu.Unlock()
}

func TestRetriesUntilSubscriberSucceeds(t *testing.T) {
	t.Parallel()
	flaky := newSubscriber(t, func(n int, _ cloudevents.Event, w http.ResponseWriter) int {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return http.StatusServiceUnavailable
		}
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	})
	b := startBroker(t, "retry", t.TempDir(), services(map[string]*subscriber{"flaky": flaky}), nil)
	ev := newEvent(typeReported, nil)
	mustPost(t, b.IngressURL("default"), ev)

	eventually(t, 5*time.Second, "successful delivery", func() bool { _, n := flaky.counts(); return n >= 1 })
	time.Sleep(300 * time.Millisecond)
	attempts, accepted := flaky.counts()
	if attempts != 4 || accepted != 1 {
		t.Fatalf("attempts %d, successful %d; want 4 attempts (3 failures) and 1 success", attempts, accepted)
	}
	if got := flaky.acceptedEvents()[0].ID(); got != ev.ID() {
		t.Fatalf("delivered id %s, want %s", got, ev.ID())
	}
	if got := testutil.ToFloat64(b.metrics.retried.WithLabelValues("flaky")); got != 3 {
		t.Errorf("retried metric %v, want 3", got)
	}
	if got := testutil.ToFloat64(b.metrics.delivered.WithLabelValues("flaky")); got != 1 {
		t.Errorf("delivered metric %v, want 1", got)
	}
}

func TestDeadLetterSink(t *testing.T) {
	t.Parallel()
	longBody := strings.Repeat("x", 3000)
	overloaded := newSubscriber(t, reply(http.StatusServiceUnavailable, "overloaded, come back later"))
	badRequest := newSubscriber(t, reply(http.StatusBadRequest, longBody))
	dls := newSubscriber(t, nil)
	b := startBroker(t, "deadletter", t.TempDir(),
		services(map[string]*subscriber{"overloaded": overloaded, "bad-request": badRequest, "dead-letters": dls}), nil)

	tests := []struct {
		name         string
		typ          string
		sub          *subscriber
		wantAttempts int
		wantCode     string
		wantData     string
	}{
		{"retryable 503 exhausts retries", "test.overloaded", overloaded, 3, "503", "overloaded, come back later"},
		{"400 is not retried", "test.bad-request", badRequest, 1, "400", longBody[:maxErrorData]},
	}
	ids := map[string]string{}
	for _, tc := range tests {
		ev := newEvent(tc.typ, nil)
		ids[tc.name] = ev.ID()
		mustPost(t, b.IngressURL("default"), ev)
	}
	eventually(t, 5*time.Second, "two dead letters", func() bool { _, n := dls.counts(); return n >= 2 })
	time.Sleep(300 * time.Millisecond)

	dead := map[string]cloudevents.Event{}
	for _, e := range dls.acceptedEvents() {
		dead[e.ID()] = e
	}
	if len(dls.acceptedEvents()) != 2 {
		t.Errorf("dead-letter sink got %d events, want 2", len(dls.acceptedEvents()))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if attempts, _ := tc.sub.counts(); attempts != tc.wantAttempts {
				t.Errorf("subscriber attempts %d, want %d", attempts, tc.wantAttempts)
			}
			e, ok := dead[ids[tc.name]]
			if !ok {
				t.Fatalf("event %s not in the dead-letter sink", ids[tc.name])
			}
			ext := e.Extensions()
			if got := ext["knativeerrorcode"]; got != tc.wantCode {
				t.Errorf("knativeerrorcode %v, want %s", got, tc.wantCode)
			}
			if got := ext["knativeerrordest"]; got != tc.sub.srv.URL {
				t.Errorf("knativeerrordest %v, want %s", got, tc.sub.srv.URL)
			}
			data, err := base64.StdEncoding.DecodeString(ext["knativeerrordata"].(string))
			if err != nil || string(data) != tc.wantData {
				t.Errorf("knativeerrordata decodes to %q (err %v), want %q", data, err, tc.wantData)
			}
			if !bytes.Contains(e.Data(), []byte(`"case"`)) {
				t.Errorf("dead letter lost the event data: %s", e.Data())
			}
		})
	}
	dls.mu.Lock()
	for _, p := range dls.paths {
		if p != "/dls" {
			t.Errorf("dead-letter path %q, want /dls", p)
		}
	}
	dls.mu.Unlock()
	if got := testutil.ToFloat64(b.metrics.deadLettered.WithLabelValues("bad-request")); got != 1 {
		t.Errorf("dead-lettered metric %v, want 1", got)
	}
}

func TestRestartLosesNothing(t *testing.T) {
	t.Parallel()
	const n = 20
	down := newSubscriber(t, reply(http.StatusServiceUnavailable, "starting"))
	dataDir := t.TempDir()
	reg := prometheus.NewRegistry()
	resolve := services(map[string]*subscriber{"down": down})
	b := startBroker(t, "restart", dataDir, resolve, reg)
	want := map[string]bool{}
	for range n {
		ev := newEvent(typeReported, map[string]string{"partitionkey": uuid.NewString()})
		want[ev.ID()] = true
		mustPost(t, b.IngressURL("default"), ev)
	}
	// Every event has failed at least once and sits in JetStream awaiting a retry.
	eventually(t, 5*time.Second, "every event attempted", func() bool { return len(down.attemptIDs()) == n })
	b.Close()

	down.setRespond(nil) // the subscriber comes up
	before, _ := down.counts()
	b2 := startBroker(t, "restart", dataDir, resolve, reg)
	eventually(t, 10*time.Second, "all events after restart", func() bool { return len(down.acceptedIDs()) == n })
	for id := range down.acceptedIDs() {
		if !want[id] {
			t.Errorf("unexpected event %s", id)
		}
	}
	if after, _ := down.counts(); after == before {
		t.Fatal("no delivery after restart")
	}
	b2.Close()
}

func TestReplyIsDeliveredToMatchingTrigger(t *testing.T) {
	t.Parallel()
	answerer := newSubscriber(t, func(_ int, ev cloudevents.Event, w http.ResponseWriter) int {
		if ev.Type() == "test.question.structured" {
			answer := cloudevents.NewEvent()
			answer.SetID("answer-to-" + ev.ID())
			answer.SetSource("/test/answerer")
			answer.SetType("test.answer")
			_ = answer.SetData(cloudevents.ApplicationJSON, map[string]string{"mode": "structured"})
			body, _ := json.Marshal(answer)
			w.Header().Set("Content-Type", "application/cloudevents+json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body)
			return http.StatusOK
		}
		w.Header().Set("Ce-Specversion", "1.0")
		w.Header().Set("Ce-Id", "answer-to-"+ev.ID())
		w.Header().Set("Ce-Source", "/test/answerer")
		w.Header().Set("Ce-Type", "test.answer")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"mode":"binary"}`)
		return http.StatusAccepted
	})
	collector := newSubscriber(t, nil)
	b := startBroker(t, "reply", t.TempDir(), services(map[string]*subscriber{"answerer": answerer, "collector": collector}), nil)

	want := map[string]string{}
	for typ, mode := range map[string]string{"test.question.binary": "binary", "test.question.structured": "structured"} {
		q := newEvent(typ, nil)
		q.SetSource("/test/asker")
		want["answer-to-"+q.ID()] = mode
		mustPost(t, b.IngressURL("default"), q)
	}
	eventually(t, 5*time.Second, "two answers", func() bool { _, n := collector.counts(); return n >= 2 })
	time.Sleep(200 * time.Millisecond)
	got := collector.acceptedEvents()
	if len(got) != 2 {
		t.Fatalf("collector got %d events, want 2", len(got))
	}
	for _, e := range got {
		mode, ok := want[e.ID()]
		if !ok || e.Type() != "test.answer" || !bytes.Contains(e.Data(), []byte(mode)) {
			t.Errorf("unexpected reply delivered: id %s type %s data %s", e.ID(), e.Type(), e.Data())
		}
	}
	if attempts, _ := answerer.counts(); attempts != 2 {
		t.Errorf("answerer got %d events, want only the 2 questions", attempts)
	}
}

func TestPingSource(t *testing.T) {
	t.Parallel()
	reminder, other, audit := newSubscriber(t, nil), newSubscriber(t, nil), newSubscriber(t, nil)
	b := startBroker(t, "ping", t.TempDir(),
		services(map[string]*subscriber{"reminder": reminder, "other": other, "audit": audit}), nil)

	t.Run("schedule fires into the broker", func(t *testing.T) {
		eventually(t, 4*time.Second, "a scheduled ping", func() bool { _, n := reminder.counts(); return n >= 1 })
		e := reminder.acceptedEvents()[0]
		if e.Type() != PingEventType || e.Source() != "/apis/v1/namespaces/nemrefusion/pingsources/reminder-tick" {
			t.Errorf("ping type %q source %q", e.Type(), e.Source())
		}
		if e.Extensions()["job"] != "reminders" {
			t.Errorf("ping extensions %v, want job=reminders", e.Extensions())
		}
		if string(e.Data()) != `{"tick":"reminders"}` || e.DataContentType() != "application/json" {
			t.Errorf("ping data %q content type %q", e.Data(), e.DataContentType())
		}
	})
	t.Run("FirePing to a Service sink with a path", func(t *testing.T) {
		if err := b.FirePing("checkpoint-tick"); err != nil {
			t.Fatalf("FirePing: %v", err)
		}
		if _, n := audit.counts(); n != 1 {
			t.Fatalf("audit got %d pings, want 1", n)
		}
		audit.mu.Lock()
		path, job := audit.paths[0], audit.accepted[0].Extensions()["job"]
		audit.mu.Unlock()
		if path != "/tick" || job != "checkpoint" {
			t.Errorf("audit ping path %q job %v", path, job)
		}
	})
	t.Run("FirePing unknown", func(t *testing.T) {
		if err := b.FirePing("nope"); err == nil {
			t.Fatal("FirePing of an unknown PingSource succeeded")
		}
	})
	if _, n := other.counts(); n != 0 {
		t.Errorf("trigger filtering on another job got %d pings", n)
	}
}

func TestSameEventPostedTwiceIsDeliveredOnce(t *testing.T) {
	t.Parallel()
	all := newSubscriber(t, nil)
	b := startBroker(t, "dedupe", t.TempDir(), services(map[string]*subscriber{"all": all}), nil)
	ev := newEvent(typeReported, nil)
	mustPost(t, b.IngressURL("default"), ev)
	eventually(t, 5*time.Second, "first delivery", func() bool { _, n := all.counts(); return n == 1 })
	mustPost(t, b.IngressURL("default"), ev) // a client retrying after a lost 202

	sameIDOtherSource := ev.Clone()
	sameIDOtherSource.SetSource("/test/another-producer")
	mustPost(t, b.IngressURL("default"), sameIDOtherSource)
	eventually(t, 5*time.Second, "event of another source", func() bool { _, n := all.counts(); return n >= 2 })
	time.Sleep(300 * time.Millisecond)
	if _, n := all.counts(); n != 2 {
		t.Fatalf("subscriber got %d events, want 2 (the repeat dropped, the other source kept)", n)
	}
	if got := testutil.ToFloat64(b.metrics.duplicates.WithLabelValues("nemrefusion/default")); got != 1 {
		t.Errorf("duplicate metric %v, want 1", got)
	}
}

func TestIngress(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "dedupe", t.TempDir(), services(map[string]*subscriber{"all": newSubscriber(t, nil)}), nil)
	valid := `{"specversion":"1.0","id":"1","source":"/test","type":"test.structured","data":{"a":1}}`
	tests := []struct {
		name     string
		method   string
		path     string
		header   map[string]string
		body     string
		want     int
		wantBody string
	}{
		{"structured", "POST", "/nemrefusion/default", map[string]string{"Content-Type": "application/cloudevents+json"}, valid, 202, ""},
		{"binary", "POST", "/nemrefusion/default", map[string]string{
			"Ce-Specversion": "1.0", "Ce-Id": "2", "Ce-Source": "/test", "Ce-Type": "test.binary", "Content-Type": "text/plain",
		}, "hello", 202, ""},
		{"binary without type", "POST", "/nemrefusion/default", map[string]string{
			"Ce-Specversion": "1.0", "Ce-Id": "3", "Ce-Source": "/test",
		}, "", 400, "type"},
		{"structured without id", "POST", "/nemrefusion/default", map[string]string{"Content-Type": "application/cloudevents+json"},
			`{"specversion":"1.0","source":"/test","type":"t"}`, 400, "id"},
		{"plain JSON is not an event", "POST", "/nemrefusion/default", map[string]string{"Content-Type": "application/json"}, `{"a":1}`, 400, "not a valid CloudEvent"},
		{"unknown broker", "POST", "/nemrefusion/nope", map[string]string{"Content-Type": "application/cloudevents+json"}, valid, 404, "not defined"},
		{"healthz", "GET", "/healthz", nil, "", 200, "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, "http://"+b.Addr()+tc.path, strings.NewReader(tc.body))
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != tc.want || !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("status %d body %q, want %d containing %q", resp.StatusCode, body, tc.want, tc.wantBody)
			}
		})
	}
}

func TestDropsWithoutDeadLetterSink(t *testing.T) {
	t.Parallel()
	rejecting := newSubscriber(t, reply(http.StatusUnprocessableEntity, "never"))
	b := startBroker(t, "retry", t.TempDir(), services(map[string]*subscriber{"flaky": rejecting}), nil)
	mustPost(t, b.IngressURL("default"), newEvent(typeReported, nil))
	dropped := b.metrics.dropped.WithLabelValues("flaky", "no_dead_letter_sink")
	eventually(t, 5*time.Second, "drop", func() bool { return testutil.ToFloat64(dropped) == 1 })
	time.Sleep(200 * time.Millisecond)
	if attempts, _ := rejecting.counts(); attempts != 1 {
		t.Errorf("422 attempted %d times, want 1 (not retryable)", attempts)
	}
}

// TestSlowSubscriberIsNotRedelivered checks that a delivery taking longer
// than AckWait is kept in progress instead of being handed out again.
func TestSlowSubscriberIsNotRedelivered(t *testing.T) {
	t.Parallel()
	slow := newSubscriber(t, func(_ int, _ cloudevents.Event, w http.ResponseWriter) int {
		time.Sleep(time.Second)
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	})
	b := startBroker(t, "dedupe", t.TempDir(), services(map[string]*subscriber{"all": slow}), nil,
		func(c *Config) { c.AckWait = 250 * time.Millisecond })
	mustPost(t, b.IngressURL("default"), newEvent(typeReported, nil))
	eventually(t, 5*time.Second, "delivery", func() bool { _, n := slow.counts(); return n == 1 })
	time.Sleep(500 * time.Millisecond)
	if attempts, _ := slow.counts(); attempts != 1 {
		t.Fatalf("slow subscriber got %d attempts, want 1", attempts)
	}
}

// TestKeepsEventWhenDeadLetterSinkFailsToo: the subscriber and the
// dead-letter sink fail at the same time (both need PostgreSQL, and it is
// down) for longer than the Trigger's retries: the event is not dropped;
// it is tried again until the subscriber takes it (nothing lost, BEK 509
// § 1 stk. 5).
func TestKeepsEventWhenDeadLetterSinkFailsToo(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	down.Store(true)
	failWhileDown := func(_ int, _ cloudevents.Event, w http.ResponseWriter) int {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return http.StatusServiceUnavailable
		}
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	sub, dls := newSubscriber(t, failWhileDown), newSubscriber(t, failWhileDown)
	b := startBroker(t, "deadletter", t.TempDir(), services(map[string]*subscriber{"overloaded": sub, "dead-letters": dls}), nil)
	mustPost(t, b.IngressURL("default"), newEvent("test.overloaded", nil))
	// retry: 2 → 3 attempts, then the dead-letter sink; keep both down for
	// well beyond what the old bounded give-up allowed (retry+1+3 rounds).
	eventually(t, 10*time.Second, "rounds beyond the retries", func() bool { n, _ := dls.counts(); return n >= 5 })
	if got := testutil.ToFloat64(b.metrics.dropped.WithLabelValues("overloaded", "dead_letter_sink_failed")); got != 0 {
		t.Fatalf("event dropped while the dead-letter sink was down (%v)", got)
	}
	down.Store(false)
	eventually(t, 10*time.Second, "delivery after recovery", func() bool {
		_, okSub := sub.counts()
		_, okDLS := dls.counts()
		return okSub+okDLS == 1
	})
	time.Sleep(300 * time.Millisecond)
	if _, okSub := sub.counts(); okSub != 1 {
		t.Errorf("subscriber accepted %d times, want 1 (tried first once both are back)", okSub)
	}
	if _, okDLS := dls.counts(); okDLS != 0 {
		t.Errorf("dead-letter sink accepted %d, want 0", okDLS)
	}
}

// TestConsumersGetOnlyTheirType: JetStream hands a Trigger's consumer only
// the events of the type it filters on (the type is in the subject), and
// events stored under the bare Broker subject, as before types were in the
// subject, are still delivered to the Trigger they match.
func TestConsumersGetOnlyTheirType(t *testing.T) {
	t.Parallel()
	sickness, notify, urgent := newSubscriber(t, nil), newSubscriber(t, nil), newSubscriber(t, nil)
	b := startBroker(t, "filter", t.TempDir(),
		services(map[string]*subscriber{"sickness": sickness, "notify": notify, "urgent": urgent}), nil)
	for range 5 {
		mustPost(t, b.IngressURL("default"), newEvent(typeLetter, nil))
	}
	mustPost(t, b.IngressURL("default"), newEvent(typeReported, nil))
	// One event as an older store holds it: on the bare subject.
	old := newEvent(typeReported, nil)
	data, _ := json.Marshal(old)
	if _, err := b.js.Publish(context.Background(), subjectName("nemrefusion", "default"), data); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "sickness gets both reports", func() bool { _, n := sickness.counts(); return n == 2 })
	eventually(t, 5*time.Second, "notify gets the letters", func() bool { _, n := notify.counts(); return n == 5 })
	cons, err := b.js.Consumer(context.Background(), streamName("nemrefusion", "default"), consumerName("sickness-reported"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Delivered.Consumer != 2 {
		t.Errorf("the sickness Trigger's consumer was handed %d messages, want 2 (its own type only, not the 5 letters)", info.Delivered.Consumer)
	}
	if got := sickness.acceptedIDs(); got[old.ID()] != 1 {
		t.Errorf("the event on the bare subject was delivered %d times, want 1", got[old.ID()])
	}
}
