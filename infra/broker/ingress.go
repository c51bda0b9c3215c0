package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxEventBytes bounds an event posted to the ingress or returned as a reply.
const maxEventBytes = 10 << 20

// ErrUnknownBroker is returned for a Broker not in the manifests.
var ErrUnknownBroker = errors.New("unknown broker")

// ErrInvalidEvent is returned by Publish for an event that is not a valid CloudEvent.
var ErrInvalidEvent = errors.New("invalid CloudEvent")

func (b *Broker) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if b.nc == nil || !b.nc.IsConnected() {
			http.Error(w, "JetStream not connected", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if g, ok := b.cfg.Registerer.(prometheus.Gatherer); ok {
		mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("POST /{namespace}/{broker}", b.handleIngress)
	return mux
}

// handleIngress accepts one CloudEvent in binary or structured mode and
// answers 202 once JetStream has stored it.
func (b *Broker) handleIngress(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("namespace") + "/" + r.PathValue("broker")
	if _, ok := b.brokers[key]; !ok {
		http.Error(w, fmt.Sprintf("broker %s is not defined", key), http.StatusNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxEventBytes)
	ev, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil {
		b.metrics.rejected.WithLabelValues(key).Inc()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "event larger than 10 MiB", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "not a valid CloudEvent (binary or structured mode): "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := b.publish(r.Context(), key, *ev); err != nil {
		if errors.Is(err, ErrInvalidEvent) {
			b.metrics.rejected.WithLabelValues(key).Inc()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b.log.Error("store event", "broker", key, "type", ev.Type(), "err", err)
		http.Error(w, "event not stored, try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (b *Broker) publish(ctx context.Context, key string, e cloudevents.Event) error {
	bs, ok := b.brokers[key]
	if !ok {
		return fmt.Errorf("publish to %s: %w", key, ErrUnknownBroker)
	}
	if err := e.Validate(); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, err.Error())
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("%w: encode: %s", ErrInvalidEvent, err.Error())
	}
	msg := &nats.Msg{
		Subject: typeSubject(bs.Namespace, bs.Name, e.Type()),
		Data:    data,
		Header:  nats.Header{nats.MsgIdHdr: []string{e.Source() + "/" + e.ID()}},
	}
	b.mu.Lock()
	js := b.js
	b.mu.Unlock()
	if js == nil {
		return errors.New("publish: broker not started")
	}
	ack, err := js.PublishMsg(ctx, msg)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", key, err)
	}
	if ack.Duplicate {
		b.metrics.duplicates.WithLabelValues(key).Inc()
	} else {
		b.metrics.accepted.WithLabelValues(key).Inc()
	}
	return nil
}
