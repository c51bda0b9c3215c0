package runtime

import (
	"errors"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
)

func probe(t *testing.T, data string) cloudevents.Event {
	t.Helper()
	ev := cloudevents.NewEvent()
	ev.SetID("1")
	ev.SetSource("/test")
	ev.SetType(events.ProbeRequested)
	if err := ev.SetData(cloudevents.ApplicationJSON, []byte(data)); err != nil {
		t.Fatal(err)
	}
	return ev
}

// One error code for every way data can fail to fit its type.
func TestDecodeOneErrorCode(t *testing.T) {
	type note struct {
		Note string `json:"note"`
	}
	v, err := Decode[note](probe(t, `{"note":"hej"}`))
	if err != nil || v.Note != "hej" {
		t.Fatalf("Decode = %+v, %v; want the note", v, err)
	}
	for name, ev := range map[string]cloudevents.Event{
		"schema":   probe(t, `{"note":7}`),
		"not-json": probe(t, `{"note":`),
	} {
		_, err := Decode[note](ev)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidData || KindOf(err) != KindInvalid {
			t.Errorf("%s: Decode error = %v; want kind invalid, code %s", name, err, CodeInvalidData)
		}
	}
	unknown := probe(t, `{}`)
	unknown.SetType("dk.nemrefusion.nothing.v1")
	if _, err := Decode[note](unknown); ProblemOf(err).Code != CodeInvalidData {
		t.Errorf("unknown type: code %q; want %s", ProblemOf(err).Code, CodeInvalidData)
	}
	// A type whose Go shape the data cannot fill is refused too.
	if _, err := Decode[[]int](probe(t, `{"note":"x"}`)); ProblemOf(err).Code != CodeInvalidData {
		t.Errorf("undecodable: code %q; want %s", ProblemOf(err).Code, CodeInvalidData)
	}
}
