package events

import (
	"fmt"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
)

// Schema returns the dataschema URI of an event type.
func Schema(eventType string) string {
	return SchemaBase + strings.TrimPrefix(eventType, TypePrefix) + ".json"
}

// New builds an event of the given type with a fresh id (UUIDv7), the time
// now, the dataschema of the type, the partition key and JSON data. When
// cause is non-nil the new event keeps the cause's correlation id and trace
// parent and names the cause in causationid; otherwise the new event starts
// a chain and its own id becomes the correlation id.
//
// Producers never reuse an id: call New once per event.
func New(eventType, function, partitionKey string, data any, cause *cloudevents.Event) (cloudevents.Event, error) {
	ev := cloudevents.NewEvent()
	id, err := uuid.NewV7()
	if err != nil {
		return ev, fmt.Errorf("new event id: %w", err)
	}
	ev.SetID(id.String())
	ev.SetType(eventType)
	ev.SetSource(SourcePrefix + function)
	ev.SetTime(time.Now().UTC())
	ev.SetDataSchema(Schema(eventType))
	if partitionKey != "" {
		ev.SetExtension(ExtPartitionKey, partitionKey)
	}
	if cause != nil {
		ev.SetExtension(ExtCorrelationID, CorrelationID(*cause))
		ev.SetExtension(ExtCausationID, cause.ID())
		if tp := Str(*cause, ExtTraceParent); tp != "" {
			ev.SetExtension(ExtTraceParent, tp)
		}
	} else {
		ev.SetExtension(ExtCorrelationID, ev.ID())
	}
	if data != nil {
		if err := ev.SetData(cloudevents.ApplicationJSON, data); err != nil {
			return ev, fmt.Errorf("set data of %s: %w", eventType, err)
		}
	}
	return ev, nil
}

// Str returns a string extension of ev, or "" when it is absent.
func Str(ev cloudevents.Event, name string) string {
	v, ok := ev.Extensions()[name]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// CorrelationID returns the chain's correlation id: the extension when set,
// else the event's own id (the event starts a chain).
func CorrelationID(ev cloudevents.Event) string {
	if c := Str(ev, ExtCorrelationID); c != "" {
		return c
	}
	return ev.ID()
}

// PartitionKey returns the absence or case id the event belongs to, or the
// event id when it names none.
func PartitionKey(ev cloudevents.Event) string {
	if p := Str(ev, ExtPartitionKey); p != "" {
		return p
	}
	return ev.ID()
}
