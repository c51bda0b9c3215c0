package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v5"
	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// Publisher sends events to the broker ingress (K_SINK) in binary mode.
//
// Retry policy, chosen deliberately: network errors, 404 (ingress not ready
// yet), 408, 409, 425, 429 and every 5xx, including 500, are retried with
// exponential backoff (50 ms doubling to 2 s, at most MaxElapsed); any other
// 4xx means the event can never be accepted and is returned at once.
type Publisher struct {
	Sink       string
	Client     *http.Client
	Overrides  map[string]string // extensions from K_CE_OVERRIDES
	MaxElapsed time.Duration     // 0 means 10 s
}

// NewPublisher builds a publisher for sink with the K_CE_OVERRIDES JSON
// ({"extensions":{"name":"value"}}) applied to every event.
func NewPublisher(sink, overrides string) (*Publisher, error) {
	p := &Publisher{Sink: sink, Client: &http.Client{Timeout: 10 * time.Second, Transport: sinkTransport()}}
	if overrides != "" {
		var o struct {
			Extensions map[string]string `json:"extensions"`
		}
		if err := json.Unmarshal([]byte(overrides), &o); err != nil {
			return nil, fmt.Errorf("K_CE_OVERRIDES: %w", err)
		}
		p.Overrides = o.Extensions
	}
	return p, nil
}

// sinkTransport keeps up to 64 idle connections to the broker: with
// http.DefaultTransport's 2, every send beyond two at once opened a new TCP
// connection and left one in TIME_WAIT after it.
func sinkTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return tr
}

// PublishError is a refusal by the broker that retrying cannot change.
type PublishError struct {
	Status int
	Body   string
}

func (e *PublishError) Error() string {
	return fmt.Sprintf("broker refused event: %d %s", e.Status, e.Body)
}

// Send delivers ev and returns nil once the broker answered 2xx.
func (p *Publisher) Send(ctx context.Context, ev cloudevents.Event) error {
	for k, v := range p.Overrides {
		ev.SetExtension(k, v)
	}
	maxElapsed := p.MaxElapsed
	if maxElapsed == 0 {
		maxElapsed = 10 * time.Second
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 50 * time.Millisecond
	bo.MaxInterval = 2 * time.Second
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		return struct{}{}, p.once(ctx, ev)
	}, backoff.WithBackOff(bo), backoff.WithMaxElapsedTime(maxElapsed))
	return err
}

func (p *Publisher) once(ctx context.Context, ev cloudevents.Event) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Sink, nil)
	if err != nil {
		return backoff.Permanent(fmt.Errorf("publish: request: %w", err))
	}
	if err := cehttp.WriteRequest(ctx, binding.ToMessage(&ev), req); err != nil {
		return backoff.Permanent(fmt.Errorf("publish: encode %s: %w", ev.Type(), err))
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return backoff.Permanent(ctx.Err())
		}
		return fmt.Errorf("publish %s: %w", ev.Type(), err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	perr := &PublishError{Status: resp.StatusCode, Body: string(body)}
	if retryableStatus(resp.StatusCode) {
		return perr
	}
	return backoff.Permanent(perr)
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusConflict, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return code >= 500
}
