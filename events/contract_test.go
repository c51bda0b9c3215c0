package events

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/schemas"
)

// Every schema in the contract compiles, has an example, and the example is valid.
func TestEverySchemaHasAValidExample(t *testing.T) {
	files, err := fs.Glob(schemas.FS, "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas: %v", err)
	}
	for _, f := range files {
		typ := TypePrefix + strings.TrimSuffix(f, ".json")
		t.Run(typ, func(t *testing.T) {
			ex, err := fs.ReadFile(schemas.FS, "examples/"+f)
			if err != nil {
				t.Fatalf("example missing: %v", err)
			}
			if err := ValidateJSON(typ, ex); err != nil {
				t.Fatalf("example invalid: %v", err)
			}
			var s struct {
				ID string `json:"$id"`
			}
			b, _ := fs.ReadFile(schemas.FS, f)
			if err := json.Unmarshal(b, &s); err != nil || s.ID != Schema(typ) {
				t.Fatalf("$id = %q, want %q (%v)", s.ID, Schema(typ), err)
			}
		})
	}
}

func TestValidateReportsEveryFieldError(t *testing.T) {
	err := ValidateJSON(ProbeRequested, []byte(`{"note": "", "extra": 1}`))
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want FieldErrors, got %v", err)
	}
	got := map[string]string{}
	for _, e := range fe {
		got[e.Field] = e.Code
		if e.Da == "" || e.En == "" {
			t.Errorf("%s: message missing in a language: %+v", e.Field, e)
		}
	}
	want := map[string]string{"note": "required", "extra": "unknown-field"}
	for f, c := range want {
		if got[f] != c {
			t.Errorf("field %s: code %q, want %q (all: %v)", f, got[f], c, got)
		}
	}
}

func TestValidateRefusesUnknownTypeAndWrongSchema(t *testing.T) {
	ev, err := New(ProbeRequested, "test", "p1", map[string]string{"note": "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(ev); err != nil {
		t.Fatalf("valid event refused: %v", err)
	}
	ev.SetDataSchema("https://example.org/other.json")
	if err := Validate(ev); err == nil {
		t.Fatal("wrong dataschema accepted")
	}
	ev.SetType("dk.nemrefusion.nothing.v1")
	if err := Validate(ev); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("unknown type: %v", err)
	}
}

func TestNewKeepsTheChain(t *testing.T) {
	first, _ := New(ProbeRequested, "intake", "a1", map[string]string{"note": "x"}, nil)
	if CorrelationID(first) != first.ID() {
		t.Fatalf("a chain starts with its own id as correlation id")
	}
	first.SetExtension(ExtTraceParent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	next, _ := New(ProbeAnswered, "audit", "a1", map[string]any{"note": "x"}, &first)
	if CorrelationID(next) != first.ID() || Str(next, ExtCausationID) != first.ID() {
		t.Fatalf("correlation/causation not kept: %v", next.Extensions())
	}
	if Str(next, ExtTraceParent) != Str(first, ExtTraceParent) {
		t.Fatalf("traceparent not kept")
	}
	if next.ID() == first.ID() || next.Source() != "/nemrefusion/audit" || next.DataSchema() != Schema(ProbeAnswered) {
		t.Fatalf("bad attributes: %v", next)
	}
	var _ cloudevents.Event = next
}
