package digitalpost

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Routes of the service (and of StandIn), below the base URL.
const (
	pathMessages = "/memo/v1/messages"
	pathPrint    = "/print/v1/letters"
)

// Received is one message the stand-in took, with how often it was posted.
type Received struct {
	MessageUUID string    `json:"messageUUID"`
	Channel     string    `json:"channel"`
	MessageType string    `json:"messageType"`
	RecipientID string    `json:"recipientId"`
	IDType      string    `json:"idType"`
	Label       string    `json:"label"`
	SenderID    string    `json:"senderId"`
	Language    string    `json:"language"`
	ReceivedAt  time.Time `json:"receivedAt"`
	// Posts counts every POST of this UUID; only the first delivered.
	Posts int `json:"posts"`
	// PDFBytes is the size of the main document.
	PDFBytes int `json:"pdfBytes"`
}

// StandIn is a local Digital Post for development and tests. It checks and
// records every message, delivers each messageUUID once (later posts of the
// same UUID answer 200 with duplicate=true; the first answers 201), and
// lists what it received.
//
// Routes:
//
//	POST /memo/v1/messages          a MeMo message for the Digital Post mailbox
//	POST /print/v1/letters          a MeMo message with the recipient's postal address (paper-print queue)
//
// Each message is checked against the MeMo 1.1 schema (Validate, with
// xmllint) and then by Parse; a message either refuses is answered 400 with
// what is wrong, as the real service refuses it.
//
//	GET  /memo/v1/received?recipient=ID&channel=digital-post|paper   []Received
//	GET  /healthz
//
// It logs nothing (its content is personal data, if synthetic).
type StandIn struct {
	mux  *http.ServeMux
	down atomic.Bool

	mu       sync.Mutex
	received map[string]*Received
	messages map[string]Message
}

// NewStandIn returns an empty stand-in.
func NewStandIn() *StandIn {
	s := &StandIn{mux: http.NewServeMux(), received: map[string]*Received{}, messages: map[string]Message{}}
	s.mux.HandleFunc("POST "+pathMessages, func(w http.ResponseWriter, r *http.Request) { s.take(w, r, ChannelDigital) })
	s.mux.HandleFunc("POST "+pathPrint, func(w http.ResponseWriter, r *http.Request) { s.take(w, r, ChannelPaper) })
	s.mux.HandleFunc("GET /memo/v1/received", s.list)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return s
}

// SetDown makes every request answer 503 (true) or work again (false).
func (s *StandIn) SetDown(down bool) { s.down.Store(down) }

// ServeHTTP answers one request.
func (s *StandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, problem{Code: "unavailable", Da: "Digital Post er midlertidigt utilgængelig.", En: "Digital Post is temporarily unavailable."})
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *StandIn) take(w http.ResponseWriter, r *http.Request, channel string) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, problem{Code: "too-large", Da: "Beskeden er for stor.", En: "The message is too large."})
		return
	}
	// First the MeMo 1.1 schema, as the real service checks it, then our
	// own rules (Parse) and, for print, the postal address.
	err = Validate(r.Context(), b)
	if errors.Is(err, ErrInvalid) {
		writeJSON(w, http.StatusBadRequest, problem{Code: "invalid-memo-schema",
			Da: "Beskeden overholder ikke MeMo 1.1-skemaet: " + errText(err), En: "The message is not valid against the MeMo 1.1 schema: " + errText(err)})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, problem{Code: "validator-unavailable",
			Da: "Stand-in'en kan ikke kontrollere beskeden mod MeMo-skemaet (er xmllint installeret?).",
			En: "The stand-in cannot check the message against the MeMo schema (is xmllint installed?): " + err.Error()})
		return
	}
	m, err := Parse(b)
	if err == nil && channel == ChannelPaper {
		err = m.CheckPaper()
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, problem{Code: "invalid-memo", Da: "Beskeden er ikke en gyldig MeMo-besked: " + errText(err), En: "The message is not valid MeMo: " + errText(err)})
		return
	}
	h := m.Header
	s.mu.Lock()
	rec, dup := s.received[h.MessageUUID]
	if !dup {
		pdf, _ := m.PDF()
		rec = &Received{MessageUUID: h.MessageUUID, Channel: channel, MessageType: h.MessageType,
			RecipientID: h.Recipient.RecipientID, IDType: h.Recipient.IDType, Label: h.Label, SenderID: h.Sender.SenderID,
			Language: m.Body.MainDocument.File.Language, ReceivedAt: time.Now().UTC(), PDFBytes: len(pdf)}
		s.received[h.MessageUUID] = rec
		s.messages[h.MessageUUID] = m
	}
	rec.Posts++
	d := Delivery{MessageUUID: rec.MessageUUID, Channel: rec.Channel, Duplicate: dup, ReceivedAt: rec.ReceivedAt}
	s.mu.Unlock()
	status := http.StatusCreated
	if dup {
		status = http.StatusOK
	}
	writeJSON(w, status, d)
}

// Received lists what the stand-in took for recipient (all when ""), oldest first.
func (s *StandIn) Received(recipient string) []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Received
	for _, r := range s.received {
		if recipient == "" || r.RecipientID == recipient {
			out = append(out, *r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ReceivedAt.Before(out[j].ReceivedAt) })
	return out
}

// Message returns the message with the given UUID as received.
func (s *StandIn) Message(uuid string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[uuid]
	return m, ok
}

func (s *StandIn) list(w http.ResponseWriter, r *http.Request) {
	out := []Received{}
	for _, rec := range s.Received(r.URL.Query().Get("recipient")) {
		if c := r.URL.Query().Get("channel"); c == "" || c == rec.Channel {
			out = append(out, rec)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// errText is err without the package's prefix.
func errText(err error) string {
	return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
