package runtime

import (
	"context"
	"io"
	"log/slog"
	"net/http"
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

type metrics struct {
	handled    *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	duplicates prometheus.Counter
}

func newMetrics(reg *prometheus.Registry, function string) metrics {
	labels := prometheus.Labels{"function": function}
	m := metrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nemrefusion_events_handled_total", Help: "Events received, by type and HTTP status.", ConstLabels: labels,
		}, []string{"type", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nemrefusion_event_duration_seconds", Help: "Time to handle an event.", ConstLabels: labels,
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"type"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "nemrefusion_events_duplicate_total", Help: "Redelivered events acknowledged without effect.", ConstLabels: labels,
		}),
	}
	reg.MustRegister(m.handled, m.duration, m.duplicates, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m metrics) observe(eventType string, status int, start time.Time) {
	m.handled.WithLabelValues(eventType, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(eventType).Observe(time.Since(start).Seconds())
}

// MetricsHandler serves GET /metrics (Prometheus text format) from the
// function's registry and nothing else. Run serves it on its own listener
// (METRICS_PORT), never on the app's port: the app's port is what the
// public routes reach.
func (s *Service) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{}))
	return mux
}
