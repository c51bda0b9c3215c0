package runtime

import (
	"context"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/pg"
)

// Tx is the transaction of one unit of work: the function's state rows,
// ledger entries and outbox rows all commit together or not at all.
type Tx struct {
	pgx.Tx
	svc     *Service
	cause   *cloudevents.Event
	emitted []cloudevents.Event
}

// Cause is the event being handled (nil for work started by a request).
func (t *Tx) Cause() *cloudevents.Event { return t.cause }

// Emit builds an event of eventType with data (events.New, keeping the
// cause's correlation id and the current trace) and writes it to the outbox.
// It is published after commit.
func (t *Tx) Emit(ctx context.Context, eventType, partitionKey string, data any) (cloudevents.Event, error) {
	ev, err := events.New(eventType, t.svc.Name, partitionKey, data, t.cause)
	if err != nil {
		return ev, err
	}
	return ev, t.EmitEvent(ctx, ev)
}

// EmitEvent writes an already built event to the outbox, stamping the
// current trace context on it.
func (t *Tx) EmitEvent(ctx context.Context, ev cloudevents.Event) error {
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if tp := carrier.Get("traceparent"); tp != "" {
		ev.SetExtension(events.ExtTraceParent, tp)
	}
	if err := pg.Enqueue(ctx, t.Tx, ev); err != nil {
		return err
	}
	t.emitted = append(t.emitted, ev)
	return nil
}

// Record appends e to the ledger in this transaction. Empty fields are
// filled from the cause: event type, source and id, correlation id, cause,
// and the stream (the cause's partition key). The actor defaults to the
// function itself (role "system").
func (t *Tx) Record(ctx context.Context, e ledger.Entry) (ledger.Record, error) {
	if c := t.cause; c != nil {
		if e.EventType == "" {
			e.EventType, e.EventSource, e.EventID = c.Type(), c.Source(), c.ID()
		}
		if e.Correlation == "" {
			e.Correlation = events.CorrelationID(*c)
		}
		if e.Cause == "" {
			e.Cause = events.Str(*c, events.ExtCausationID)
		}
		if e.Stream == "" {
			e.Stream = events.PartitionKey(*c)
		}
		if e.Payload == nil {
			e.Payload = c.Data()
		}
	}
	if e.Actor == "" {
		e.Actor, e.Role = "function:"+t.svc.Name, "system"
	}
	if e.Stream == "" {
		return ledger.Record{}, fmt.Errorf("ledger entry without stream")
	}
	return ledger.Append(ctx, t.Tx, e)
}
