package runtime

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/pg"
)

func (s *Service) routes() {
	s.Mux.Handle("POST /{$}", s.authenticated(http.HandlerFunc(s.receive))) // eventauth.go: only the broker's deliveries
	s.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.Mux.HandleFunc("GET /readyz", s.readyz)
}

func (s *Service) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		WriteError(w, Fail(KindUnavailable, "not-ready", "Tjenesten starter eller stopper.", "The service is starting or stopping.", nil))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		WriteError(w, Fail(KindUnavailable, "database-unavailable", "Databasen svarer ikke.", "The database does not answer.", err))
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// ReadEvent decodes a CloudEvent from r in binary or structured mode, with
// the body capped at max bytes, and validates it: the required attributes
// (the SDK), and CheckAttributes (CloudEvents 1.0.2 names and Strings, our
// length bounds, JSON data). In structured mode the body must also be UTF-8
// with lower-case, unique member names (checkEnvelope); in binary mode each
// ce- header must occur once. Every refusal is a 400 with a code and texts
// in Danish and English that name the attribute, never its value.
func ReadEvent(w http.ResponseWriter, r *http.Request, max int64) (cloudevents.Event, error) {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	tooLarge := func(err error) error {
		return Fail(KindInvalid, "too-large", "Beskeden er for stor.", "The message is too large.", err)
	}
	if isStructured(r.Header.Get("Content-Type")) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return cloudevents.Event{}, tooLarge(err)
			}
			return cloudevents.Event{}, Fail(KindInvalid, "not-a-cloudevent", "Beskeden er ikke en gyldig CloudEvent.", "The message is not a valid CloudEvent.", err)
		}
		if err := checkEnvelope(body); err != nil {
			return cloudevents.Event{}, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	} else if err := checkBinaryHeaders(r.Header); err != nil {
		return cloudevents.Event{}, err
	}
	evp, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return cloudevents.Event{}, tooLarge(err)
		}
		return cloudevents.Event{}, Fail(KindInvalid, "not-a-cloudevent", "Beskeden er ikke en gyldig CloudEvent.", "The message is not a valid CloudEvent.", err)
	}
	if err := evp.Validate(); err != nil {
		return cloudevents.Event{}, Fail(KindInvalid, "invalid-cloudevent", "Beskeden mangler påkrævede CloudEvents-attributter.", "The message lacks required CloudEvents attributes.", err)
	}
	if err := CheckAttributes(*evp); err != nil {
		return cloudevents.Event{}, err
	}
	return *evp, nil
}

// receive is the CloudEvents endpoint the broker delivers to. 2xx only after
// the effect committed; 400 for what can never succeed; 503 for transient
// failures, which the broker retries.
func (s *Service) receive(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ev, err := ReadEvent(w, r, s.maxBytes)
	if err != nil {
		s.m.refuse(refusedInvalid, KindOf(err).Status())
		s.Log.WarnContext(r.Context(), "rejected incoming message", "code", ProblemOf(err).Code)
		WriteError(w, err)
		return
	}
	ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.MapCarrier{"traceparent": events.Str(ev, events.ExtTraceParent)})
	ctx, span := otel.Tracer("nemrefusion/runtime").Start(ctx, "handle "+ev.Type())
	defer span.End()
	log := s.Log.With("event_type", ev.Type(), "event_id", ev.ID(), "correlation_id", events.CorrelationID(ev))
	ctx = WithLogger(ctx, log)

	h, ok := s.handlerFor(ev)
	if !ok {
		err := Fail(KindInvalid, "unhandled-type", "Funktionen håndterer ikke denne hændelsestype.", "The function does not handle this event type.", nil)
		s.m.refuse(refusedUnhandled, http.StatusBadRequest)
		log.WarnContext(ctx, "event type not handled")
		WriteError(w, err)
		return
	}
	dup, err := s.handle(ctx, ev, h)
	status := http.StatusAccepted
	if err != nil {
		status = KindOf(err).Status()
		if status >= 500 {
			log.ErrorContext(ctx, "event handling failed", "status", status, "err", err.Error())
		} else {
			log.WarnContext(ctx, "event refused", "status", status, "code", ProblemOf(err).Code)
		}
		s.m.observe(ev.Type(), status, start)
		WriteError(w, err)
		return
	}
	s.m.observe(ev.Type(), status, start)
	log.DebugContext(ctx, "event handled", "duplicate", dup, "ms", time.Since(start).Milliseconds())
	w.WriteHeader(status)
}

// handle runs h in one transaction with the inbox dedupe; a duplicate is
// acknowledged without effect.
func (s *Service) handle(ctx context.Context, ev cloudevents.Event, h EventHandler) (dup bool, err error) {
	var emitted []cloudevents.Event
	err = pgx.BeginFunc(ctx, s.DB, func(ptx pgx.Tx) error {
		first, err := pg.FirstDelivery(ctx, ptx, ev.Source(), ev.ID(), ev.Type())
		if err != nil {
			return err
		}
		if !first {
			dup = true
			return nil
		}
		tx := &Tx{Tx: ptx, svc: s, cause: &ev}
		if err := h(ctx, tx, ev); err != nil {
			return err
		}
		emitted = tx.emitted
		return nil
	})
	if err != nil {
		return false, err
	}
	if dup {
		s.m.duplicates.Inc()
	}
	s.sendEmitted(ctx, emitted)
	return dup, nil
}
