package broker

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the broker's Prometheus counters. Labels carry object names
// only, never event data.
type metrics struct {
	accepted     *prometheus.CounterVec // broker
	duplicates   *prometheus.CounterVec // broker
	rejected     *prometheus.CounterVec // broker
	delivered    *prometheus.CounterVec // trigger
	retried      *prometheus.CounterVec // trigger
	deadLettered *prometheus.CounterVec // trigger
	dropped      *prometheus.CounterVec // trigger, reason
	dlsFailing   *prometheus.CounterVec // trigger
	pings        *prometheus.CounterVec // pingsource
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "broker", Name: name, Help: help}, labels)
	}
	m := &metrics{
		accepted:     vec("events_accepted_total", "Events stored by the ingress.", "broker"),
		duplicates:   vec("events_duplicate_total", "Events posted again with a source and id already stored.", "broker"),
		rejected:     vec("events_rejected_total", "Posts the ingress refused (not a valid CloudEvent).", "broker"),
		delivered:    vec("events_delivered_total", "Events a subscriber acknowledged with 2xx.", "trigger"),
		retried:      vec("events_retried_total", "Failed deliveries scheduled for another attempt.", "trigger"),
		deadLettered: vec("events_dead_lettered_total", "Events delivered to a dead-letter sink.", "trigger"),
		dropped:      vec("events_dropped_total", "Events given up because their Trigger has no dead-letter sink.", "trigger", "reason"),
		dlsFailing:   vec("events_dead_letter_sink_failed_total", "Times the dead-letter sink failed too; the event is kept and tried again.", "trigger"),
		pings:        vec("pings_total", "PingSource events fired.", "pingsource"),
	}
	for _, c := range []**prometheus.CounterVec{&m.accepted, &m.duplicates, &m.rejected, &m.delivered, &m.retried, &m.deadLettered, &m.dropped, &m.dlsFailing, &m.pings} {
		if err := reg.Register(*c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, fmt.Errorf("register broker metrics: %w", err)
			}
			existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
			if !ok {
				return nil, fmt.Errorf("register broker metrics: %w", err)
			}
			*c = existing
		}
	}
	return m, nil
}
