package digitalpost

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
)

// Deliverer sends MeMo messages: Send to the recipient's Digital Post
// mailbox, Print to the paper-print queue (posted as a physical letter).
// Both are idempotent on the message's UUID: sending a UUID again returns
// Delivery.Duplicate and delivers nothing new.
//
// Errors: ErrUnavailable (retry later) when the service cannot be reached or
// answers 5xx/429; a *RejectedError when it refuses the message (4xx), which
// retrying will not change.
type Deliverer interface {
	Send(ctx context.Context, m Message) (Delivery, error)
	Print(ctx context.Context, m Message) (Delivery, error)
}

// Delivery is the service's acknowledgement.
type Delivery struct {
	MessageUUID string    `json:"messageUUID"`
	Channel     string    `json:"channel"`
	Duplicate   bool      `json:"duplicate"`
	ReceivedAt  time.Time `json:"receivedAt"`
}

// Channels a message went through.
const (
	ChannelDigital = "digital-post"
	ChannelPaper   = "paper"
)

// ErrUnavailable matches errors that mean the service did not take the
// message this time; retrying may help.
var ErrUnavailable = errors.New("digitalpost: service unavailable")

// RejectedError is the service refusing a message (4xx).
type RejectedError struct {
	Status int
	Code   string
	Reason string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("digitalpost: message refused (%d %s): %s", e.Status, e.Code, e.Reason)
}

// Client is the HTTP client of the Digital Post service (and of StandIn).
// It is safe for concurrent use.
type Client struct {
	base *url.URL
	http *http.Client
}

var _ Deliverer = (*Client)(nil)

// NewClient returns a client of the service at baseURL (a path prefix is kept).
func NewClient(baseURL string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("digitalpost: base URL %q must be an absolute http(s) URL", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// Send delivers m to the recipient's Digital Post mailbox.
func (c *Client) Send(ctx context.Context, m Message) (Delivery, error) {
	if m.Header.MessageType != TypeDigital {
		return Delivery{}, fmt.Errorf("%w: Send needs messageType %s", ErrInvalid, TypeDigital)
	}
	return c.post(ctx, pathMessages, m)
}

// Print queues m for paper print and posting; m needs a postal address in
// its recipient's AttentionData (Letter.Paper).
func (c *Client) Print(ctx context.Context, m Message) (Delivery, error) {
	if err := m.CheckPaper(); err != nil {
		return Delivery{}, err
	}
	return c.post(ctx, pathPrint, m)
}

func (c *Client) post(ctx context.Context, path string, m Message) (Delivery, error) {
	body, err := m.Marshal()
	if err != nil {
		return Delivery{}, err
	}
	u := *c.base
	u.Path += path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Delivery{}, fmt.Errorf("digitalpost: %w", err)
	}
	req.Header.Set("Content-Type", "application/xml")
	resp, err := c.http.Do(req)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: read answer: %w", ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		var d Delivery
		if err := json.Unmarshal(b, &d); err != nil || d.MessageUUID != m.Header.MessageUUID {
			return Delivery{}, fmt.Errorf("%w: unexpected answer to %s", ErrUnavailable, m.Header.MessageUUID)
		}
		return d, nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusNotFound:
		// 404: the route is missing, so the service (or our URL) is misconfigured, not the message.
		return Delivery{}, fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	default:
		var p problem
		_ = json.Unmarshal(b, &p)
		return Delivery{}, &RejectedError{Status: resp.StatusCode, Code: p.Code, Reason: p.En}
	}
}

// problem is the stand-in's error body.
type problem struct {
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
}
