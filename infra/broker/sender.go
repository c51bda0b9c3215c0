package broker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// result is the outcome of one HTTP delivery.
type result struct {
	url    string
	status int                // 0 when no response arrived
	body   []byte             // response body, bounded
	err    error              // transport or resolution error
	reply  *cloudevents.Event // CloudEvent in a 2xx response, if any
}

func (r result) ok() bool { return r.err == nil && r.status >= 200 && r.status < 300 }

// retryable follows Knative: network errors, 5xx, 404, 408, 409 and 429
// are retried; every other status goes straight to the dead-letter sink.
func (r result) retryable() bool {
	if r.err != nil || r.status == 0 {
		return true
	}
	switch r.status {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return r.status >= 500
}

func (r result) errText() string {
	if r.err == nil {
		return ""
	}
	return r.err.Error()
}

// send posts ev in binary mode to target within timeout. With a signer
// and an audience the request carries a delivery token from subject for
// audience. With wantReply it reads a CloudEvent (binary or structured)
// from a 2xx response.
func (b *Broker) send(ctx context.Context, target, subject, audience string, ev *cloudevents.Event, timeout time.Duration, wantReply bool) result {
	res := result{url: target}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
	if err != nil {
		res.err = fmt.Errorf("build request: %w", err)
		return res
	}
	if err := cehttp.WriteRequest(ctx, binding.ToMessage(ev), req); err != nil {
		res.err = fmt.Errorf("encode event: %w", err)
		return res
	}
	if b.signer != nil && audience != "" {
		tok, err := b.signer.token(subject, audience)
		if err != nil {
			res.err = err
			return res
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if wantReply {
		req.Header.Set("Prefer", "reply")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		res.err = fmt.Errorf("post event: %w", err)
		return res
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode
	res.body, err = io.ReadAll(io.LimitReader(resp.Body, maxEventBytes))
	if err != nil {
		res.err = fmt.Errorf("read response: %w", err)
		return res
	}
	if !wantReply || !res.ok() || len(res.body) == 0 && resp.Header.Get("Ce-Id") == "" {
		return res
	}
	reply, err := binding.ToEvent(ctx, cehttp.NewMessageFromHttpResponse(&http.Response{
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       io.NopCloser(bytes.NewReader(res.body)),
	}))
	switch {
	case errors.Is(err, binding.ErrUnknownEncoding):
	case err != nil:
		b.log.Warn("subscriber replied with an undecodable CloudEvent, ignoring the reply", "url", target, "err", err)
	default:
		res.reply = reply
	}
	return res
}

// resolve turns a Destination into a URL: a Broker ref is the broker's own
// ingress, other refs go through the Resolver, and a uri next to a ref is
// resolved relative to the ref's URL.
func (b *Broker) resolve(d *Destination, namespace string) (string, error) {
	if d.Ref == nil {
		return d.URI, nil
	}
	var base string
	if d.Ref.Kind == kindBroker {
		base = b.ingressURL(refNamespace(d.Ref, namespace), d.Ref.Name)
	} else {
		if b.cfg.Resolver == nil {
			return "", fmt.Errorf("no resolver for %s %s", d.Ref.Kind, d.Ref.Name)
		}
		var err error
		if base, err = b.cfg.Resolver(d.Ref.Kind, d.Ref.Name); err != nil {
			return "", fmt.Errorf("resolve %s %s: %w", d.Ref.Kind, d.Ref.Name, err)
		}
	}
	if d.URI == "" {
		return base, nil
	}
	bu, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("resolve %s %s: base URL %q: %w", d.Ref.Kind, d.Ref.Name, base, err)
	}
	ru, err := url.Parse(d.URI)
	if err != nil {
		return "", fmt.Errorf("resolve %s %s: uri %q: %w", d.Ref.Kind, d.Ref.Name, d.URI, err)
	}
	return bu.ResolveReference(ru).String(), nil
}
