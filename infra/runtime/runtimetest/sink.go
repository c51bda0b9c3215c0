package runtimetest

import (
	"net/http"
	"sync"
	"sync/atomic"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
)

// Sink stands in for the broker ingress: it accepts CloudEvents (202),
// records them, and answers 500 while told to fail. It is safe for
// concurrent use.
type Sink struct {
	mu      sync.Mutex
	got     []cloudevents.Event
	failing atomic.Bool
}

// ServeHTTP accepts one event, or refuses it with 400 when it is not a
// CloudEvent and with 500 while failing.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.failing.Load() {
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	ev, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.got = append(s.got, *ev)
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// SetFailing makes the sink refuse (true) or accept (false) what follows.
func (s *Sink) SetFailing(failing bool) { s.failing.Store(failing) }

// Events returns what the sink accepted, in order.
func (s *Sink) Events() []cloudevents.Event {
	return s.Where(func(cloudevents.Event) bool { return true })
}

// Where returns the accepted events for which keep is true, in order.
func (s *Sink) Where(keep func(cloudevents.Event) bool) []cloudevents.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cloudevents.Event
	for _, ev := range s.got {
		if keep(ev) {
			out = append(out, ev)
		}
	}
	return out
}

// OfType returns the accepted events of type typ.
func (s *Sink) OfType(typ string) []cloudevents.Event {
	return s.Where(func(ev cloudevents.Event) bool { return ev.Type() == typ })
}

// CausedBy returns the accepted events whose cause is the event with id.
func (s *Sink) CausedBy(id string) []cloudevents.Event {
	return s.Where(func(ev cloudevents.Event) bool { return events.Str(ev, events.ExtCausationID) == id })
}
