// Package broker is the local stand-in for Knative Eventing. It reads the
// Broker, Trigger and PingSource manifests the cluster uses, accepts
// CloudEvents on a Knative-shaped ingress (POST /<namespace>/<broker>),
// keeps them durably in an embedded NATS JetStream, delivers them to the
// Triggers' subscribers with the Triggers' retry, backoff and dead-letter
// settings, feeds replies back in and fires PingSources on their schedules.
//
// Delivery is at least once: subscribers must be idempotent (deduplicate on
// source and id). Events with the same partitionkey extension are delivered
// one at a time per Trigger in stream order, but a failed delivery waiting
// for its retry does not hold back later events of the same key, so order
// is not kept across retries.
//
// Storage: one stream per Broker, each event under the subject
// <broker subject>.<type> (typeSubject), and one durable consumer per
// Trigger that reads only its type's subject when it filters on type. An
// event the subscriber and the dead-letter sink both refuse is kept and
// tried again, never dropped (only a Trigger without a dead-letter sink
// drops a failed event, as Knative does).
package broker

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/robfig/cron/v3"
)

// dedupeWindow is how long JetStream remembers a source/id pair to drop a
// repeated post of the same event.
const dedupeWindow = 10 * time.Minute

// Broker is a running local broker. Create it with New, run it with Start
// and stop it with Close. Its methods are safe for concurrent use.
type Broker struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	man     *Manifests
	brokers map[string]*BrokerSpec // by namespace/name
	pings   map[string]*PingSourceSpec
	client  *http.Client
	signer  *signer // nil: deliveries carry no token

	mu       sync.Mutex
	addr     string
	started  bool
	ns       *server.Server
	nc       *nats.Conn
	js       jetstream.JetStream
	srv      *http.Server
	cron     *cron.Cron
	cancel   context.CancelFunc
	dispatch sync.WaitGroup
	served   chan struct{}

	closeOnce sync.Once
}

// New reads the manifests under cfg.ManifestsDir and checks them. It
// returns an error for a missing DataDir, unreadable or invalid manifests
// and PingSource schedules or time zones that cannot be parsed. Nothing is
// started until Start.
func New(cfg Config) (*Broker, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	man := &Manifests{}
	if cfg.ManifestsDir != "" {
		if man, err = LoadManifests(cfg.ManifestsDir, cfg.Namespace, cfg.SkipDirs); err != nil {
			return nil, fmt.Errorf("broker: %w", err)
		}
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	b := &Broker{
		cfg: cfg, log: cfg.Logger.With("component", "broker"), metrics: m, man: man,
		brokers: map[string]*BrokerSpec{}, pings: map[string]*PingSourceSpec{}, addr: cfg.Addr,
	}
	for i := range man.Brokers {
		bs := &man.Brokers[i]
		b.brokers[bs.Namespace+"/"+bs.Name] = bs
	}
	for i := range man.PingSources {
		p := &man.PingSources[i]
		if _, err := cron.ParseStandard(p.cronSpec()); err != nil {
			return nil, fmt.Errorf("broker: PingSource %s/%s (%s): schedule %q: %w", p.Namespace, p.Name, p.File, p.Schedule, err)
		}
		if _, err := pingEvent(p, time.Now()); err != nil {
			return nil, fmt.Errorf("broker: PingSource %s/%s (%s): %w", p.Namespace, p.Name, p.File, err)
		}
		b.pings[p.Namespace+"/"+p.Name] = p
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	b.client = &http.Client{Transport: tr}
	if cfg.DeliveryKey != nil {
		if b.signer, err = newSigner(cfg.DeliveryIssuer, cfg.DeliveryKey); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Start binds the ingress, starts the embedded JetStream with its store
// under DataDir, creates one stream per Broker and one durable consumer per
// Trigger (removing consumers of Triggers no longer in the manifests),
// starts delivery and the PingSource schedules, and returns. The broker
// runs until Close is called or ctx is done. Start may be called once; on
// error everything it started is stopped again.
func (b *Broker) Start(ctx context.Context) (err error) {
	b.mu.Lock()
	if b.started {
		b.mu.Unlock()
		return errors.New("broker: already started")
	}
	b.started = true
	b.mu.Unlock()
	defer func() {
		if err != nil {
			b.Close()
		}
	}()

	ln, err := net.Listen("tcp", b.cfg.Addr)
	if err != nil {
		return fmt.Errorf("broker: listen on %s: %w", b.cfg.Addr, err)
	}
	b.mu.Lock()
	b.addr = ln.Addr().String()
	b.mu.Unlock()

	if err := b.startJetStream(); err != nil {
		_ = ln.Close()
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.mu.Lock()
	b.cancel = cancel
	b.mu.Unlock()
	if err := b.setupStreams(ctx); err != nil {
		_ = ln.Close()
		return err
	}
	if err := b.startTriggers(ctx, runCtx); err != nil {
		_ = ln.Close()
		return err
	}

	srv := &http.Server{Handler: b.routes(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	b.mu.Lock()
	b.srv, b.served = srv, served
	b.mu.Unlock()
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			b.log.Error("ingress stopped", "err", err)
		}
	}()

	if err := b.startPings(); err != nil {
		return err
	}
	go func() {
		select {
		case <-ctx.Done():
			b.Close()
		case <-runCtx.Done():
		}
	}()
	b.log.Info("broker started", "addr", b.Addr(), "brokers", len(b.man.Brokers),
		"triggers", len(b.man.Triggers), "pingsources", len(b.man.PingSources))
	return nil
}

func (b *Broker) startJetStream() error {
	opts := &server.Options{
		ServerName:         "local-broker",
		DontListen:         true,
		JetStream:          true,
		StoreDir:           filepath.Join(b.cfg.DataDir, "jetstream"),
		NoLog:              true,
		NoSigs:             true,
		SyncAlways:         b.cfg.SyncAlways,
		JetStreamMaxMemory: 64 << 20,
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("broker: create embedded NATS: %w", err)
	}
	b.mu.Lock()
	b.ns = ns
	b.mu.Unlock()
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		return errors.New("broker: embedded NATS not ready within 30s")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns), nats.Name("local-broker"), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("broker: connect to embedded NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return fmt.Errorf("broker: open JetStream: %w", err)
	}
	b.mu.Lock()
	b.nc, b.js = nc, js
	b.mu.Unlock()
	return nil
}

// setupStreams creates or updates one stream per Broker.
func (b *Broker) setupStreams(ctx context.Context) error {
	for _, bs := range b.man.Brokers {
		_, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:        streamName(bs.Namespace, bs.Name),
			Description: "Knative Broker " + bs.Namespace + "/" + bs.Name,
			// <base>.<type> for every event; <base> alone held every event
			// before types were in the subject and is kept for stores
			// written then.
			Subjects:   []string{subjectName(bs.Namespace, bs.Name), subjectName(bs.Namespace, bs.Name) + ".>"},
			Retention:  jetstream.InterestPolicy,
			Storage:    jetstream.FileStorage,
			MaxAge:     b.cfg.MaxAge,
			Duplicates: min(dedupeWindow, b.cfg.MaxAge),
		})
		if err != nil {
			return fmt.Errorf("broker: stream for Broker %s/%s: %w", bs.Namespace, bs.Name, err)
		}
	}
	return nil
}

// Close stops the ingress, the schedules and delivery (deliveries in
// progress are handed back to JetStream for the next start), then the
// embedded JetStream. It waits for all of it and is safe to call more than
// once and after a failed Start.
func (b *Broker) Close() {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		srv, served, cr, cancel, nc, ns := b.srv, b.served, b.cron, b.cancel, b.nc, b.ns
		b.mu.Unlock()
		if cr != nil {
			<-cr.Stop().Done()
		}
		if srv != nil {
			ctx, done := context.WithTimeout(context.Background(), 5*time.Second)
			if err := srv.Shutdown(ctx); err != nil {
				_ = srv.Close()
			}
			done()
			<-served
		}
		if cancel != nil {
			cancel()
		}
		b.dispatch.Wait()
		if nc != nil {
			_ = nc.Flush()
			nc.Close()
		}
		if ns != nil {
			ns.Shutdown()
			ns.WaitForShutdown()
		}
		b.log.Info("broker stopped")
	})
}

// Addr is the address the ingress listens on (the bound one after Start).
func (b *Broker) Addr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// IngressURL is the URL events for the named Broker in the configured
// namespace are posted to, such as http://127.0.0.1:8099/nemrefusion/default.
func (b *Broker) IngressURL(broker string) string {
	return b.ingressURL(b.cfg.Namespace, broker)
}

func (b *Broker) ingressURL(namespace, broker string) string {
	return "http://" + b.Addr() + "/" + namespace + "/" + broker
}

// streamName is the JetStream stream of a Broker. Kubernetes names are DNS
// labels, so only dots need replacing.
func streamName(namespace, broker string) string {
	return "KNBROKER_" + safeName(namespace) + "_" + safeName(broker)
}

func subjectName(namespace, broker string) string {
	return "knbroker." + safeName(namespace) + "." + safeName(broker)
}

// typeSubject is the subject an event of type typ is stored under: the
// Broker's subject and the type as one token (base64url, so any type is a
// valid token). A Trigger that filters on type consumes only its type's
// subject, so JetStream hands each consumer only the events it may match
// instead of every event of the Broker (with 58 Triggers that was 58
// deliveries, decodings and acks per event).
func typeSubject(namespace, broker, typ string) string {
	return subjectName(namespace, broker) + "." + base64.RawURLEncoding.EncodeToString([]byte(typ))
}

// filterSubjects are the subjects a Trigger's consumer reads: its type's
// (and the bare Broker subject, where events stored before types were in
// the subject are), or all of the Broker's when it does not filter on type.
// The dispatcher still checks the whole filter on each event.
func filterSubjects(t *TriggerSpec) []string {
	typ := t.Filter["type"]
	if typ == "" {
		return nil
	}
	return []string{subjectName(t.Namespace, t.Broker), typeSubject(t.Namespace, t.Broker, typ)}
}

func consumerName(trigger string) string { return "trigger_" + safeName(trigger) }

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '/', '\\', '\t':
			return '_'
		}
		return r
	}, s)
}
