package runtime

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// NewLogger is the JSON logger every function uses. Log attributes must never
// carry personal data (CPR numbers, names, addresses): log ids and codes.
func NewLogger(w io.Writer, level slog.Level, function string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})).With("function", function)
}

type logKey struct{}

// WithLogger returns ctx carrying log (with the event's correlation id).
func WithLogger(ctx context.Context, log *slog.Logger) context.Context {
	return context.WithValue(ctx, logKey{}, log)
}

// Logger returns the logger of ctx, or slog's default.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(logKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// setupTracing installs a tracer provider that makes real trace and span ids
// (so traceparent flows through events even with no exporter configured) and
// the W3C trace context propagator.
func setupTracing(string) error {
	if _, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); !ok {
		otel.SetTracerProvider(sdktrace.NewTracerProvider())
	}
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return nil
}

// Every metric is named nemrefusion_<what>, carries the constant label
// function, and its other labels take values from a closed set: event types
// this function handles, HTTP status codes, ServeMux patterns the function
// registered, and the refusal reasons below. Nothing an outsider sends (an
// unknown type, a random path) becomes a label value.
type metrics struct {
	handled    *prometheus.CounterVec
	refused    *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	duplicates prometheus.Counter
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	unmatched  *prometheus.CounterVec
}

// Why a delivery was refused before any handler ran (the reason label of
// nemrefusion_events_refused_total).
const (
	refusedUnauthenticated = "unauthenticated" // no valid broker delivery token
	refusedInvalid         = "invalid"         // not a well-formed CloudEvent
	refusedUnhandled       = "unhandled"       // a type this function has no handler for
)

func newMetrics(reg *prometheus.Registry, function string) metrics {
	labels := prometheus.Labels{"function": function}
	m := metrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nemrefusion_events_handled_total", Help: "Events of a handled type received, by type and HTTP status.", ConstLabels: labels,
		}, []string{"type", "status"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nemrefusion_events_refused_total", Help: "Deliveries refused before a handler ran, by reason (unauthenticated, invalid, unhandled) and HTTP status.", ConstLabels: labels,
		}, []string{"reason", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nemrefusion_event_duration_seconds", Help: "Time to handle an event of a handled type.", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"type"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "nemrefusion_events_duplicate_total", Help: "Redelivered events acknowledged without effect.", ConstLabels: labels,
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nemrefusion_http_requests_total", Help: "HTTP requests on the app port, by the route pattern that served them and status.", ConstLabels: labels,
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nemrefusion_http_request_duration_seconds", Help: "Time to answer an HTTP request on the app port, by route pattern.", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"route"}),
		unmatched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nemrefusion_http_unmatched_total", Help: "HTTP requests on the app port that matched no route, by status.", ConstLabels: labels,
		}, []string{"status"}),
	}
	reg.MustRegister(m.handled, m.refused, m.duration, m.duplicates, m.requests, m.latency, m.unmatched,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m metrics) observe(eventType string, status int, start time.Time) {
	m.handled.WithLabelValues(eventType, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(eventType).Observe(time.Since(start).Seconds())
}

func (m metrics) refuse(reason string, status int) {
	m.refused.WithLabelValues(reason, strconv.Itoa(status)).Inc()
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts every request next serves by the ServeMux pattern that
// matched it (r.Pattern, set by the mux on the same request), so a public API
// such as intake's POST /api/v1/events is counted with its status and latency.
func (m metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		status := strconv.Itoa(sw.status)
		if r.Pattern == "" {
			m.unmatched.WithLabelValues(status).Inc()
			return
		}
		m.requests.WithLabelValues(r.Pattern, status).Inc()
		m.latency.WithLabelValues(r.Pattern).Observe(time.Since(start).Seconds())
	})
}

// MetricsHandler serves GET /metrics (Prometheus text format) from the
// function's registry and nothing else. Run serves it on its own listener
// (METRICS_PORT), never on the app's port: the app's port is what the
// public routes reach.
func (s *Service) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{}))
	if os.Getenv("PPROF") == "1" {
		mountPprof(mux)
	}
	return mux
}

// mountPprof adds the Go profiler's endpoints (GET /debug/pprof/…, as
// net/http/pprof serves them) for profiling a function under load
// (PPROF=1; nrctl load and make bench-system use them). Only on the
// metrics listener, which is loopback or cluster-internal: profiles show
// memory, so they are never on the app's port.
func mountPprof(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
