// Package runtime is the function runtime every NemRefusion function is
// built on: configuration, a CloudEvents HTTP receiver (binary and structured
// mode), one Postgres transaction per event with inbox dedupe, ledger entries
// and a transactional outbox, a publisher to the broker, health, readiness,
// Prometheus metrics, JSON logs with the correlation id, and W3C trace
// context carried through events.
//
// A function's main.go only wires: load config, build adapters, call New,
// register handlers with On/OnTick and HTTP routes on Mux, then Run.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/pg"
)

// Options configure a Service.
type Options struct {
	// Name is the function's name: its Postgres schema, its event source
	// (/nemrefusion/<name>) and its metrics label.
	Name string
	// Base is the shared configuration (config.Load fills it).
	Base config.Base
	// Migrations are the function's own goose SQL files (may be nil).
	Migrations fs.FS
	// MaxEventBytes caps an incoming event or request body; 0 means 1 MiB.
	MaxEventBytes int64
	// Logger overrides the default JSON logger (tests).
	Logger *slog.Logger
}

// EventHandler handles one event inside the transaction that also records it
// in the inbox; everything it writes, appends to the ledger or emits commits
// or rolls back together. Handlers must be idempotent in effect: the inbox
// stops exact redeliveries, but the same fact may arrive as two events.
type EventHandler func(ctx context.Context, tx *Tx, ev cloudevents.Event) error

// Service is one running function.
type Service struct {
	Name    string
	Cfg     config.Base
	Log     *slog.Logger
	DB      *pgxpool.Pool
	Pub     *Publisher
	Outbox  *pg.Outbox
	Mux     *http.ServeMux
	Metrics *prometheus.Registry

	maxBytes int64
	handlers map[string]EventHandler
	auth     *deliveryAuth
	ready    atomic.Bool
	m        metrics
}

// New runs the ledger, runtime and function migrations as the owner role
// (Base.MigrationDatabaseURL), connects as the application role
// (Base.DatabaseURL), and prepares the HTTP mux with the CloudEvents receiver at "/" and the
// health, readiness and metrics endpoints.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Name == "" {
		return nil, errors.New("runtime: function name is required")
	}
	log := o.Logger
	if log == nil {
		log = NewLogger(os.Stdout, o.Base.Level(), o.Name)
	}
	if err := setupTracing(o.Name); err != nil {
		return nil, err
	}
	pool, err := openDatabase(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("runtime %s: %w", o.Name, err)
	}
	pub, err := NewPublisher(o.Base.Sink, o.Base.CEOverrides)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("runtime %s: %w", o.Name, err)
	}
	if o.Base.SinkTokenFile != "" {
		pub.Client.Transport = &bearerTransport{token: &tokenFile{path: o.Base.SinkTokenFile}, base: pub.Client.Transport}
	}
	auth, err := newDeliveryAuth(o.Base, o.Name)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("runtime %s: %w", o.Name, err)
	}
	logDeliveryAuth(log, o.Base, auth)
	s := &Service{
		Name:     o.Name,
		Cfg:      o.Base,
		Log:      log,
		DB:       pool,
		Pub:      pub,
		Outbox:   &pg.Outbox{Pool: pool, Sender: pub},
		Mux:      http.NewServeMux(),
		Metrics:  prometheus.NewRegistry(),
		maxBytes: o.MaxEventBytes,
		handlers: map[string]EventHandler{},
		auth:     auth,
	}
	if s.maxBytes <= 0 {
		s.maxBytes = 1 << 20
	}
	s.m = newMetrics(s.Metrics, o.Name)
	s.Metrics.MustRegister(pg.NewOutboxCollector(pool, o.Name))
	s.routes()
	// Metrics are served on their own port (Run); on the app's port the
	// path is a plain 404, so no catch-all route (the portal's app) and no
	// public route reaches them.
	s.Mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		WriteError(w, Fail(KindNotFound, "not-found", "Siden findes ikke.", "The page does not exist.", nil))
	})
	s.OnTick(events.TickOutboxRelay, func(ctx context.Context, _ *Tx, _ cloudevents.Event) error {
		// The tick's own transaction only records the tick; the relay runs
		// its own short transactions after it.
		go s.relay(context.WithoutCancel(ctx))
		return nil
	})
	return s, nil
}

// On registers h for events of eventType. Register before Run.
//
// Hazards:
//   - h must be idempotent in effect. The inbox (source, id) stops an exact
//     redelivery, but the same fact can arrive as two events (a producer's
//     retry with a new id, a redrive from the dead-letter list).
//   - A type needs a Trigger in k8s/base/functions/<name>/triggers.yaml, or
//     nothing ever arrives; make k8s-check cross-checks the two.
//   - Renaming a Trigger creates a new subscription: the local broker makes
//     a new durable consumer that starts at new events (DeliverNew), so
//     events still held for the old name are never delivered to the new
//     one (Knative's Broker behaves alike). Rename only with the broker
//     drained, or redrive what the old subscription held.
//   - A handler's error kind decides the broker's next step: KindInvalid (400)
//     dead-letters at once, anything transient (5xx, 429) is retried with the
//     Trigger's backoff. Never return a bare error for bad input.
func (s *Service) On(eventType string, h EventHandler) { s.handlers[eventType] = h }

// OnTick registers h for the PingSource tick with the given name (the
// "tick" extension of a dev.knative.sources.ping event).
func (s *Service) OnTick(tick string, h EventHandler) { s.handlers["tick:"+tick] = h }

// OnOther registers h for every event no other handler takes (the
// dead-letter function uses it). Without it such events get 400.
func (s *Service) OnOther(h EventHandler) { s.handlers["*"] = h }

func (s *Service) handlerFor(ev cloudevents.Event) (EventHandler, bool) {
	key := ev.Type()
	if key == events.PingType {
		key = "tick:" + events.Str(ev, events.ExtTick)
	}
	if h, ok := s.handlers[key]; ok {
		return h, true
	}
	h, ok := s.handlers["*"]
	return h, ok
}

// Do runs fn in one transaction and, after commit, sends the events fn
// emitted. cause (may be nil) is the event or request that caused the work:
// emitted events keep its correlation id. Use it for effects that start from
// an HTTP request rather than an event.
func (s *Service) Do(ctx context.Context, cause *cloudevents.Event, fn func(tx *Tx) error) error {
	var emitted []cloudevents.Event
	err := pgx.BeginFunc(ctx, s.DB, func(ptx pgx.Tx) error {
		tx := &Tx{Tx: ptx, svc: s, cause: cause}
		if err := fn(tx); err != nil {
			return err
		}
		emitted = tx.emitted
		return nil
	})
	if err != nil {
		return err
	}
	s.sendEmitted(ctx, emitted)
	return nil
}

// sendEmitted publishes just-committed events; a failure only delays them
// until the relay picks them up.
func (s *Service) sendEmitted(ctx context.Context, evs []cloudevents.Event) {
	if len(evs) == 0 {
		return
	}
	if err := s.Outbox.Send(context.WithoutCancel(ctx), evs); err != nil {
		s.Log.WarnContext(ctx, "outbox send failed; the relay will retry", "err", err.Error(), "events", len(evs))
	}
}

func (s *Service) relay(ctx context.Context) {
	n, err := s.Outbox.Relay(ctx, 5*time.Second)
	if n > 0 {
		s.Log.InfoContext(ctx, "outbox relay re-sent events", "count", n)
	}
	if err != nil {
		s.Log.WarnContext(ctx, "outbox relay incomplete", "err", err.Error())
	}
}

// Run serves the app on ListenHost:Port and the metrics on
// ListenHost:MetricsPort (none when it is 0) until ctx is cancelled, then
// drains in-flight requests (up to 20 s) and closes the database pool.
// While running it also re-sends stale outbox rows every 15 s, so a lost
// tick delays nothing for long.
func (s *Service) Run(ctx context.Context) error {
	srv := &http.Server{
		Addr:              net.JoinHostPort(s.Cfg.ListenHost, strconv.Itoa(s.Cfg.Port)),
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		s.DB.Close()
		return fmt.Errorf("runtime %s: listen: %w", s.Name, err)
	}
	if s.Cfg.MetricsPort > 0 {
		addr := net.JoinHostPort(s.Cfg.ListenHost, strconv.Itoa(s.Cfg.MetricsPort))
		mln, err := net.Listen("tcp", addr)
		if err != nil {
			ln.Close()
			s.DB.Close()
			return fmt.Errorf("runtime %s: listen for metrics: %w", s.Name, err)
		}
		msrv := &http.Server{Handler: s.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = msrv.Serve(mln) }()
		defer msrv.Close()
		s.Log.Info("metrics served", "addr", mln.Addr().String())
	}
	return s.Serve(ctx, srv, ln)
}

// Handler is the app port's handler: Mux, with every request counted by the
// route pattern that served it (nemrefusion_http_requests_total).
func (s *Service) Handler() http.Handler { return s.m.instrument(s.Mux) }

// Serve is Run on a listener the caller opened (tests use port 0).
func (s *Service) Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	defer s.DB.Close()
	if srv.Handler == nil {
		srv.Handler = s.Handler()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.ready.Store(true)
	s.Log.Info("function started", "addr", ln.Addr().String())
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("runtime %s: serve: %w", s.Name, err)
		case <-tick.C:
			go s.relay(ctx)
		case <-ctx.Done():
			s.ready.Store(false)
			sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := srv.Shutdown(sctx)
			s.Log.Info("function stopped")
			return err
		}
	}
}
