package pg

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// OutboxCollector exposes a function's outbox backlog on /metrics, read at
// scrape time from the outbox table (the partial index outbox_unsent keeps
// it cheap): how many committed events are not yet accepted by the broker,
// and how old the oldest of them is. A growing backlog or age means the
// broker refuses or the relay is stuck; nothing is lost meanwhile.
type OutboxCollector struct {
	pool    *pgxpool.Pool
	backlog *prometheus.Desc
	oldest  *prometheus.Desc
	failed  *prometheus.Desc
}

// NewOutboxCollector reads the outbox of pool's schema (its search_path);
// function is the constant function label.
func NewOutboxCollector(pool *pgxpool.Pool, function string) *OutboxCollector {
	labels := prometheus.Labels{"function": function}
	return &OutboxCollector{
		pool: pool,
		backlog: prometheus.NewDesc("nemrefusion_outbox_backlog",
			"Committed events in the outbox not yet accepted by the broker.", nil, labels),
		oldest: prometheus.NewDesc("nemrefusion_outbox_oldest_age_seconds",
			"Age of the oldest event in the outbox not yet accepted by the broker (0 when none).", nil, labels),
		failed: prometheus.NewDesc("nemrefusion_outbox_scrape_failed",
			"1 when the outbox could not be read for this scrape (the backlog figures are then missing).", nil, labels),
	}
}

// Describe implements prometheus.Collector.
func (c *OutboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.backlog
	ch <- c.oldest
	ch <- c.failed
}

// Collect implements prometheus.Collector.
func (c *OutboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var n int64
	var age float64
	err := c.pool.QueryRow(ctx, `SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
		FROM outbox WHERE sent_at IS NULL`).Scan(&n, &age)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, 0)
	ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}
