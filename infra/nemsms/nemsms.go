// Package nemsms is the adapter to NemSMS, the SMS service of Digital Post:
// an authority sends a short text to a person by CPR number, and NemSMS
// delivers it to the phone number the person signed up with. Only people
// who signed up get SMS; the caller checks that in CPR (registers.Person
// NemSMS) before sending, and the service refuses others.
//
// The length rule: a text is at most MaxLength (160) characters, counted as
// Unicode code points (æ, ø and å are single characters in the GSM 7-bit
// alphabet, so 160 of them fit one SMS). Longer texts are refused with
// ErrTooLong, never cut: a cut text could lose the deadline or the link,
// so the caller's templates must fit.
//
// Idempotency: a message is identified by its ID; the service delivers an
// ID once and acknowledges repeats as duplicates.
package nemsms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"nemrefusion.dk/events/ids"
)

// MaxLength is the longest text, in characters (code points).
const MaxLength = 160

// Message is one SMS.
type Message struct {
	// ID identifies the message (a UUID); derive it from the request.
	ID string `json:"id"`
	// CPR is the recipient; NemSMS finds the number.
	CPR ids.CPR `json:"cpr"`
	// SenderCVR is the authority sending.
	SenderCVR ids.CVR `json:"senderCvr"`
	Text      string  `json:"text"`
}

// Errors of Check and Send.
var (
	// ErrTooLong: the text has more than MaxLength characters.
	ErrTooLong = errors.New("nemsms: text longer than 160 characters")
	// ErrInvalid: the message is broken otherwise (no ID, recipient, sender or text).
	ErrInvalid = errors.New("nemsms: invalid message")
	// ErrNotSignedUp: the recipient has not signed up for NemSMS.
	ErrNotSignedUp = errors.New("nemsms: recipient not signed up")
	// ErrUnavailable: the service did not take the message; retry later.
	ErrUnavailable = errors.New("nemsms: service unavailable")
)

// Check applies the rules every message must meet.
func (m Message) Check() error {
	if _, err := uuid.Parse(m.ID); err != nil {
		return fmt.Errorf("%w: id is not a UUID", ErrInvalid)
	}
	if m.CPR.IsZero() || m.SenderCVR.IsZero() {
		return fmt.Errorf("%w: recipient and sender are required", ErrInvalid)
	}
	if strings.TrimSpace(m.Text) == "" || !utf8.ValidString(m.Text) {
		return fmt.Errorf("%w: text is empty or not UTF-8", ErrInvalid)
	}
	if n := utf8.RuneCountInString(m.Text); n > MaxLength {
		return fmt.Errorf("%w (%d)", ErrTooLong, n)
	}
	return nil
}

// Delivery is the service's acknowledgement.
type Delivery struct {
	ID         string    `json:"id"`
	Duplicate  bool      `json:"duplicate"`
	ReceivedAt time.Time `json:"receivedAt"`
}

// Sender sends SMS. Errors: ErrTooLong and ErrInvalid for a broken message,
// ErrNotSignedUp, ErrUnavailable (retry).
type Sender interface {
	Send(ctx context.Context, m Message) (Delivery, error)
}

// Client is the HTTP client of NemSMS (and of StandIn).
type Client struct {
	base *url.URL
	http *http.Client
}

var _ Sender = (*Client)(nil)

// NewClient returns a client of the service at baseURL.
func NewClient(baseURL string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("nemsms: base URL %q must be an absolute http(s) URL", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, http: &http.Client{Timeout: 15 * time.Second}}, nil
}

const pathMessages = "/nemsms/v1/messages"

// Send checks m and sends it.
func (c *Client) Send(ctx context.Context, m Message) (Delivery, error) {
	if err := m.Check(); err != nil {
		return Delivery{}, err
	}
	body, _ := json.Marshal(m)
	u := *c.base
	u.Path += pathMessages
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Delivery{}, fmt.Errorf("nemsms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		var d Delivery
		if err := json.Unmarshal(b, &d); err != nil || d.ID != m.ID {
			return Delivery{}, fmt.Errorf("%w: unexpected answer", ErrUnavailable)
		}
		return d, nil
	case resp.StatusCode == http.StatusUnprocessableEntity:
		return Delivery{}, ErrNotSignedUp
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusNotFound:
		return Delivery{}, fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	default:
		return Delivery{}, fmt.Errorf("%w: refused with status %d", ErrInvalid, resp.StatusCode)
	}
}
