// Package lookup is the lookup function: it answers register lookups
// (CPR persons, CVR companies and P-units, eIndkomst income) from the
// registers behind a Redis cache, as a reply to the event
// dk.nemrefusion.lookup.requested.v1 and over GET /api/v1/lookup/...,
// records every lookup in the audit ledger with its purpose, and drops
// cache entries on dk.nemrefusion.lookup.invalidated.v1.
//
// A register that is down is never an empty answer: the event is refused
// with 503 (the broker retries it) and the HTTP request gets 503 with
// Retry-After. Data is disclosed only after its ledger entry committed.
package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/prometheus/client_golang/prometheus"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/runtime"
)

// Service is the lookup function's handlers.
type Service struct {
	svc   *runtime.Service
	cache *cache.Cache
	// Now is the clock of relation checks (which eIndkomst months and
	// residences count); time.Now unless a test sets it.
	Now func() time.Time
	// UniformDelay is the least time an HTTP person lookup that ends in
	// "not found or not yours" takes, so its timing does not tell a number
	// that exists from one that does not (DefaultUniformDelay).
	UniformDelay time.Duration
}

// DefaultUniformDelay is Service.UniformDelay unless changed: well above
// a register's usual answer time.
const DefaultUniformDelay = 250 * time.Millisecond

// Register wires the event handlers and the HTTP routes (behind v's token
// check) into svc, reading the registers through c.
func Register(svc *runtime.Service, c *cache.Cache, v *auth.Verifier) *Service {
	s := &Service{svc: svc, cache: c, Now: time.Now, UniformDelay: DefaultUniformDelay}
	svc.On(events.LookupRequested, s.onRequested)
	runtime.On(svc, events.LookupInvalidated, s.onInvalidated)
	s.routes(v)
	s.metrics()
	return s
}

// errUnavailable is the answer while a register is down: 503, retried.
func errUnavailable(err error) error {
	return runtime.Fail(runtime.KindUnavailable, "register-unavailable",
		"Registret (CPR, CVR eller eIndkomst) svarer ikke lige nu. Prøv igen om lidt.",
		"The register (CPR, CVR or eIndkomst) does not answer right now. Please try again shortly.", err)
}

// notFound is the failure of a number the register does not know.
func notFound(kind string) (code, da, en string) {
	switch kind {
	case events.LookupCompany:
		return "lookup.not-found", "CVR-registret kender ikke CVR-nummeret.", "The CVR register does not know the CVR number."
	case events.LookupPUnit:
		return "lookup.not-found", "CVR-registret kender ikke P-nummeret.", "The CVR register does not know the P-number."
	}
	return "lookup.not-found", "CPR-registret kender ikke CPR-nummeret.", "The CPR register does not know the CPR number."
}

// onRequested answers a lookup request: lookup.answered.v1, or
// lookup.failed.v1 for an unknown number or an invalid request, with the
// ledger entry in the same transaction; 503 while a register is down.
//
// It alone does not register through runtime.On: the requester waits for
// a reply, so data that does not fit the type is answered with
// lookup.failed (reason invalid, code runtime.CodeInvalidData, the same
// code runtime.Decode gives) rather than refused with 400, which would
// dead-letter the request and leave the requester waiting. It decodes
// before validating so that the reply can name the kind and parse's field
// errors.
func (s *Service) onRequested(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event) error {
	var req events.LookupRequest
	if err := json.Unmarshal(ev.Data(), &req); err != nil {
		return s.fail(ctx, tx, ev, req.Kind, events.LookupReasonInvalid, runtime.CodeInvalidData, "Data kan ikke læses.", "The data cannot be read.", nil)
	}
	if err := events.Validate(ev); err != nil {
		var fe events.FieldErrors
		if !errors.As(err, &fe) {
			return runtime.InvalidData(err)
		}
		// Report the checks of parse where they apply (they name the
		// rule broken); fall back to the schema's.
		if _, pfe := parse(req); len(pfe) > 0 {
			fe = pfe
		}
		return s.fail(ctx, tx, ev, req.Kind, events.LookupReasonInvalid, runtime.CodeInvalidData, "Forespørgslen er ikke gyldig.", "The request is not valid.", fe)
	}
	q, fe := parse(req)
	if len(fe) > 0 {
		return s.fail(ctx, tx, ev, req.Kind, events.LookupReasonInvalid, "invalid", "Forespørgslen er ikke gyldig.", "The request is not valid.", fe)
	}
	if q.absence == "" {
		// The partition key of an event is its absence or case id.
		q.absence = events.Str(ev, events.ExtPartitionKey)
	}
	ans, err := s.fetch(ctx, q)
	switch {
	case errors.Is(err, registers.ErrUnavailable):
		return errUnavailable(err)
	case errors.Is(err, registers.ErrNotFound):
		if err := s.record(ctx, tx, ev, q, "not-found"); err != nil {
			return err
		}
		code, da, en := notFound(q.kind)
		return s.fail(ctx, tx, ev, q.kind, events.LookupReasonNotFound, code, da, en, nil)
	case err != nil:
		return err
	}
	if err := s.record(ctx, tx, ev, q, "answered"); err != nil {
		return err
	}
	ans.RequestID = ev.ID()
	_, err = tx.Emit(ctx, events.LookupAnswered, events.PartitionKey(ev), ans)
	return err
}

// record appends the ledger entry of a lookup requested by an event: who is
// the requesting function (the event's source), whose is the stream, why is
// the purpose.
func (s *Service) record(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, q query, outcome string) error {
	actor := "source:" + ev.Source()
	if name, ok := strings.CutPrefix(ev.Source(), events.SourcePrefix); ok {
		actor = "function:" + name
	}
	_, err := tx.Record(ctx, ledger.Entry{Stream: s.stream(q), Actor: actor, Role: "system", Reason: s.reason(q, outcome)})
	return err
}

func (s *Service) fail(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, kind, reason, code, da, en string, fe events.FieldErrors) error {
	_, err := tx.Emit(ctx, events.LookupFailed, events.PartitionKey(ev), events.LookupFailure{
		Kind: kind, RequestID: ev.ID(), Reason: reason, Code: code, Da: da, En: en, Errors: fe,
	})
	return err
}

// onInvalidated drops cache entries. A Redis that cannot be reached gives
// 503: the broker retries, so the stale entry does not come back with Redis.
func (s *Service) onInvalidated(ctx context.Context, _ *runtime.Tx, _ cloudevents.Event, in events.LookupInvalidation) error {
	var fe events.FieldErrors
	cpr, cvr, pn := parseOptional(in, &fe)
	if err := fe.Err(); err != nil {
		return err
	}
	var err error
	if in.All {
		_, err = s.cache.InvalidateAll(ctx)
	}
	if err == nil && !cpr.IsZero() {
		err = s.cache.InvalidatePerson(ctx, cpr)
	}
	if err == nil && !cvr.IsZero() {
		err = s.cache.InvalidateCompany(ctx, cvr)
	}
	if err == nil && !pn.IsZero() {
		err = s.cache.InvalidatePUnit(ctx, pn)
	}
	if err != nil {
		return runtime.Fail(runtime.KindUnavailable, "cache-unavailable", "Cachen svarer ikke.", "The cache does not answer.", err)
	}
	runtime.Logger(ctx).InfoContext(ctx, "register cache invalidated", "all", in.All, "person", !cpr.IsZero(), "cvr", cvr.String(), "pnumber", pn.String())
	return nil
}

func parseOptional(in events.LookupInvalidation, fe *events.FieldErrors) (cpr ids.CPR, cvr ids.CVR, pn ids.PNumber) {
	add := func(field string, err error) {
		var e *ids.Error
		if errors.As(err, &e) {
			fe.Add(field, e.Code, e.Da, e.En)
		}
	}
	var err error
	if in.CPR != "" {
		if cpr, err = ids.ParseCPR(in.CPR); err != nil {
			add("cpr", err)
		}
	}
	if in.CVR != "" {
		if cvr, err = ids.ParseCVR(in.CVR); err != nil {
			add("cvr", err)
		}
	}
	if in.PNumber != "" {
		if pn, err = ids.ParsePNumber(in.PNumber); err != nil {
			add("pnumber", err)
		}
	}
	return cpr, cvr, pn
}

// metrics exposes the cache counters on /metrics.
func (s *Service) metrics() {
	for _, m := range []struct {
		name, help string
		get        func(cache.Stats) uint64
	}{
		{"nemrefusion_lookup_cache_hits_total", "Register lookups answered from the Redis cache.", func(st cache.Stats) uint64 { return st.Hits }},
		{"nemrefusion_lookup_cache_misses_total", "Register lookups answered by the register.", func(st cache.Stats) uint64 { return st.Misses }},
		{"nemrefusion_lookup_cache_failures_total", "Redis calls that failed (lookups then went to the register).", func(st cache.Stats) uint64 { return st.Failures }},
		{"nemrefusion_lookup_cache_skipped_total", "Lookups that skipped Redis while its breaker was open.", func(st cache.Stats) uint64 { return st.Skipped }},
	} {
		get := m.get
		_ = s.svc.Metrics.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.name, Help: m.help},
			func() float64 { return float64(get(s.cache.Stats())) }))
	}
}
