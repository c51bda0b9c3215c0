// Package intake is the public door for CloudEvents: POST /api/v1/events
// (binary or structured mode) from the web app and partner systems. It reads
// the event and hands it to the one accept step every way in shares
// (nemrefusion.dk/infra/accept): the submission policy (type, role, the CVR
// in the data against the login, a fresh login for signed blankets), the
// ledger stream (reserved streams are nobody's, a stream is its opener's,
// the case systems' feedback only into an absence delivered to them), the
// stamps of who submitted, the ledger entry and the outbox, in one
// transaction. It answers 202 with a receipt only after that transaction
// committed; a repeated post of the same event (same source and id, same
// sender, same data) returns the same receipt, the same id with other data
// gets 409.
//
// It consumes delivery.requested.v1 to learn who each absence was delivered
// to (accept.Front.OnDeliveryRequested), so feedback is admitted only from
// that recipient.
package intake

import (
	"embed"
	"errors"
	"io/fs"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are intake's own tables (now unused: the accept step's tables
// are in accept's schema; the old ones stay for their history).
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Receipt is the answer to an accepted submission.
type Receipt = accept.Receipt

// Register adds the intake route and the delivery.requested handler to svc.
// Submitters authenticate with a bearer token verified by v; front is the
// accept step (accept.New on svc).
func Register(svc *runtime.Service, v *auth.Verifier, front *accept.Front) {
	m := newSubmissionMetrics(svc)
	svc.Mux.Handle("POST /api/v1/events", auth.Require(v)(auth.LimitPerTenant(auth.SubmissionLimitFromEnv())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		submit(svc, front, m, w, r)
	}))))
	svc.On(events.DeliveryRequested, front.OnDeliveryRequested)
}

// submissionMetrics counts the public API's submissions by blanket type and
// outcome. The type label is a type the registry knows ("" for anything
// else, which an outsider could otherwise grow without bound); the outcome
// is "accepted" or the problem code the submitter got.
type submissionMetrics struct{ total *prometheus.CounterVec }

func newSubmissionMetrics(svc *runtime.Service) submissionMetrics {
	m := submissionMetrics{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name:        "nemrefusion_intake_submissions_total",
		Help:        "Blankets submitted on POST /api/v1/events, by blanket type (empty when not a known blanket) and outcome (accepted or the problem code answered).",
		ConstLabels: prometheus.Labels{"function": svc.Name},
	}, []string{"type", "outcome"})}
	svc.Metrics.MustRegister(m.total)
	return m
}

func (m submissionMetrics) count(eventType string, err error) {
	if _, known := events.BlanketOf(eventType); !known {
		eventType = ""
	}
	outcome := "accepted"
	var d accept.Denied
	switch {
	case err == nil:
	case errors.As(err, &d):
		outcome = "forbidden"
	case errors.Is(err, accept.ErrLoginTooOld):
		outcome = "login-too-old"
	default:
		outcome = runtime.ProblemOf(err).Code
	}
	m.total.WithLabelValues(eventType, outcome).Inc()
}

func submit(svc *runtime.Service, front *accept.Front, m submissionMetrics, w http.ResponseWriter, r *http.Request) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		runtime.WriteError(w, runtime.Fail(runtime.KindUnauthorized, "unauthenticated", "Du skal logge ind.", "You must log in.", nil))
		return
	}
	in, err := runtime.ReadEvent(w, r, 1<<20)
	if err != nil {
		m.count("", err)
		runtime.WriteError(w, err)
		return
	}
	var rc accept.Receipt
	err = svc.Do(r.Context(), nil, func(tx *runtime.Tx) error {
		rc, err = front.Accept(r.Context(), tx, p, accept.Input{
			Type: in.Type(), Source: in.Source(), ID: in.ID(), Stream: events.Str(in, events.ExtPartitionKey),
			DataSchema: in.DataSchema(), Data: in.Data(),
		})
		return err
	})
	m.count(in.Type(), err)
	if err != nil {
		front.WriteError(w, r, p, err)
		return
	}
	runtime.WriteJSON(w, http.StatusAccepted, rc)
}
