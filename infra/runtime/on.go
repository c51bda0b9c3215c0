package runtime

import (
	"context"
	"encoding/json"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
)

// CodeInvalidData is the one error code of an event whose data does not
// fit its type: it failed the type's schema (the field errors name every
// problem) or cannot be decoded into the handler's Go type.
const CodeInvalidData = "invalid-data"

// Decode is the one way a handler reads an event's data: it validates the
// data against the schema of the event's type (events.Validate, which also
// checks dataschema) and decodes it once into T. Every failure is
// KindInvalid (400, dead-lettered, never retried) with code
// CodeInvalidData and, for schema failures, the field errors.
func Decode[T any](ev cloudevents.Event) (T, error) {
	var v T
	if err := events.Validate(ev); err != nil {
		return v, InvalidData(err)
	}
	if err := json.Unmarshal(ev.Data(), &v); err != nil {
		return v, Fail(KindInvalid, CodeInvalidData, "Data kan ikke læses.", "The data cannot be read.", err)
	}
	return v, nil
}

// InvalidData is the answer to an event that failed events.Validate: kind
// invalid, code CodeInvalidData, with the field errors.
func InvalidData(err error) error {
	fe, ok := err.(events.FieldErrors)
	if !ok {
		return Fail(KindInvalid, CodeInvalidData, "Hændelsestypen kendes ikke.", "The event type is not known.", err)
	}
	return &Error{Kind: KindInvalid, Code: CodeInvalidData, Da: "Data passer ikke til hændelsestypen.",
		En: "The data does not fit the event type.", Fields: fe}
}

// TypedHandler handles one event whose data Decode already read into T.
type TypedHandler[T any] func(ctx context.Context, tx *Tx, ev cloudevents.Event, data T) error

// On registers h for events of eventType on s, with the data validated and
// decoded once into T (Decode) before h runs; data that does not fit never
// reaches h. The hazards of Service.On apply.
func On[T any](s *Service, eventType string, h TypedHandler[T]) {
	s.On(eventType, Typed(h))
}

// Typed turns a TypedHandler into an EventHandler (for handlers registered
// through another router, such as the blanket pipeline's).
func Typed[T any](h TypedHandler[T]) EventHandler {
	return func(ctx context.Context, tx *Tx, ev cloudevents.Event) error {
		v, err := Decode[T](ev)
		if err != nil {
			return err
		}
		return h(ctx, tx, ev, v)
	}
}
