package nemsms

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"nemrefusion.dk/events/ids"
)

// SignedUp tells the stand-in whether a person signed up for NemSMS.
type SignedUp func(ctx context.Context, cpr ids.CPR) (bool, error)

// Received is one SMS the stand-in took.
type Received struct {
	ID         string    `json:"id"`
	CPR        string    `json:"cpr"`
	SenderCVR  string    `json:"senderCvr"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Posts counts every POST of this ID; only the first delivered.
	Posts int `json:"posts"`
}

// StandIn is a local NemSMS: it checks messages by the same rules as the
// client, refuses people who have not signed up (422), delivers each ID
// once and records what it received.
//
// Routes:
//
//	POST /nemsms/v1/messages        Message → 201 Delivery (200 for a repeat)
//	GET  /nemsms/v1/received?cpr=   []Received
//
// It logs nothing.
type StandIn struct {
	signedUp SignedUp
	mux      *http.ServeMux
	down     atomic.Bool

	mu       sync.Mutex
	received map[string]*Received
}

// NewStandIn returns a stand-in that asks signedUp who may get SMS.
func NewStandIn(signedUp SignedUp) *StandIn {
	s := &StandIn{signedUp: signedUp, mux: http.NewServeMux(), received: map[string]*Received{}}
	s.mux.HandleFunc("POST "+pathMessages, s.take)
	s.mux.HandleFunc("GET /nemsms/v1/received", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Received(r.URL.Query().Get("cpr")))
	})
	return s
}

// SetDown makes every request answer 503 (true) or work again (false).
func (s *StandIn) SetDown(down bool) { s.down.Store(down) }

// ServeHTTP answers one request.
func (s *StandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"code": "unavailable"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *StandIn) take(w http.ResponseWriter, r *http.Request) {
	var m Message
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&m); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": "invalid"})
		return
	}
	if err := m.Check(); err != nil {
		code := "invalid"
		if errors.Is(err, ErrTooLong) {
			code = "too-long"
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": code})
		return
	}
	ok, err := s.signedUp(r.Context(), m.CPR)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"code": "unavailable"})
		return
	}
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"code": "not-signed-up"})
		return
	}
	s.mu.Lock()
	rec, dup := s.received[m.ID]
	if !dup {
		rec = &Received{ID: m.ID, CPR: m.CPR.String(), SenderCVR: m.SenderCVR.String(), Text: m.Text, ReceivedAt: time.Now().UTC()}
		s.received[m.ID] = rec
	}
	rec.Posts++
	d := Delivery{ID: rec.ID, Duplicate: dup, ReceivedAt: rec.ReceivedAt}
	s.mu.Unlock()
	status := http.StatusCreated
	if dup {
		status = http.StatusOK
	}
	writeJSON(w, status, d)
}

// Received lists the SMS taken for cpr (all when ""), oldest first.
func (s *StandIn) Received(cpr string) []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Received{}
	for _, r := range s.received {
		if cpr == "" || r.CPR == cpr {
			out = append(out, *r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ReceivedAt.Before(out[j].ReceivedAt) })
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
