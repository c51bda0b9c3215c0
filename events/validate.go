package events

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"nemrefusion.dk/schemas"
)

var (
	compileOnce sync.Once
	compileErr  error
	compiled    map[string]*jsonschema.Schema // by type name
)

// compileAll compiles every schema in schemas.FS once, keyed by event type.
func compileAll() {
	compiled = map[string]*jsonschema.Schema{}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, err := fs.Glob(schemas.FS, "*.json")
	if err != nil {
		compileErr = err
		return
	}
	for _, f := range files {
		b, err := fs.ReadFile(schemas.FS, f)
		if err != nil {
			compileErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			compileErr = fmt.Errorf("schema %s: %w", f, err)
			return
		}
		if err := c.AddResource(SchemaBase+f, doc); err != nil {
			compileErr = fmt.Errorf("schema %s: %w", f, err)
			return
		}
	}
	for _, f := range files {
		s, err := c.Compile(SchemaBase + f)
		if err != nil {
			compileErr = fmt.Errorf("compile %s: %w", f, err)
			return
		}
		compiled[TypePrefix+strings.TrimSuffix(f, ".json")] = s
	}
}

// Known reports whether eventType has a schema, i.e. is part of the contract.
func Known(eventType string) bool {
	compileOnce.Do(compileAll)
	_, ok := compiled[eventType]
	return ok
}

// ErrUnknownType is returned by Validate for a type with no schema.
var ErrUnknownType = errors.New("unknown event type")

// Validate checks ev's data against the schema of its type and returns every
// problem as field errors (Danish and English, no submitted values in the
// messages). A dataschema attribute, when set, must be the type's schema.
func Validate(ev cloudevents.Event) error {
	compileOnce.Do(compileAll)
	if compileErr != nil {
		return compileErr
	}
	s, ok := compiled[ev.Type()]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownType, ev.Type())
	}
	if ds := ev.DataSchema(); ds != "" && ds != Schema(ev.Type()) {
		return FieldErrors{{Field: "dataschema", Code: "dataschema", Da: "dataschema passer ikke til hændelsestypen.", En: "dataschema does not match the event type."}}
	}
	return ValidateData(s, ev.Data())
}

// ValidateJSON validates raw JSON against the schema of eventType.
func ValidateJSON(eventType string, data []byte) error {
	compileOnce.Do(compileAll)
	if compileErr != nil {
		return compileErr
	}
	s, ok := compiled[eventType]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownType, eventType)
	}
	return ValidateData(s, data)
}

// ValidateData validates raw JSON data against a compiled schema.
func ValidateData(s *jsonschema.Schema, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return FieldErrors{{Field: "", Code: "required", Da: "Beskeden har ingen data.", En: "The message has no data."}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return FieldErrors{{Field: "", Code: "json", Da: "Data er ikke gyldig JSON.", En: "The data is not valid JSON."}}
	}
	err = s.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate: %w", err)
	}
	var fe FieldErrors
	collect(ve, &fe)
	if len(fe) == 0 {
		fe.Add("", "invalid", "Oplysningerne er ikke gyldige.", "The input is not valid.")
	}
	return fe
}

// collect walks the error tree and turns each leaf into a field error.
func collect(ve *jsonschema.ValidationError, fe *FieldErrors) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, fe)
		}
		return
	}
	field := strings.Join(ve.InstanceLocation, ".")
	join := func(p string) string {
		if field == "" {
			return p
		}
		return field + "." + p
	}
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			fe.Add(join(m), "required", "Feltet skal udfyldes.", "This field is required.")
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			fe.Add(join(p), "unknown-field", "Feltet kendes ikke i denne blanket.", "This field is not part of this form.")
		}
	case *kind.Type:
		fe.Add(field, "type", "Feltet har en forkert type (forventet "+typesDa(k.Want)+").", "The field has the wrong type (expected "+strings.Join(k.Want, " or ")+").")
	case *kind.Enum, *kind.Const:
		fe.Add(field, "enum", "Vælg en af de tilladte værdier.", "Choose one of the allowed values.")
	case *kind.Pattern:
		fe.Add(field, "format", "Feltet har ikke det rigtige format.", "The field does not have the right format.")
	case *kind.Format:
		fe.Add(field, "format", "Feltet skal være en gyldig "+formatDa(k.Want)+".", "The field must be a valid "+k.Want+".")
	case *kind.MinLength:
		if k.Want == 1 {
			fe.Add(field, "required", "Feltet skal udfyldes.", "This field is required.")
		} else {
			fe.Add(field, "min-length", fmt.Sprintf("Skriv mindst %d tegn.", k.Want), fmt.Sprintf("Enter at least %d characters.", k.Want))
		}
	case *kind.MaxLength:
		fe.Add(field, "max-length", fmt.Sprintf("Skriv højst %d tegn.", k.Want), fmt.Sprintf("Enter at most %d characters.", k.Want))
	case *kind.Minimum:
		fe.Add(field, "minimum", "Tallet må ikke være mindre end "+k.Want.FloatString(2)+".", "The number must not be less than "+k.Want.FloatString(2)+".")
	case *kind.ExclusiveMinimum:
		fe.Add(field, "minimum", "Tallet skal være større end "+k.Want.FloatString(2)+".", "The number must be greater than "+k.Want.FloatString(2)+".")
	case *kind.Maximum:
		fe.Add(field, "maximum", "Tallet må ikke være større end "+k.Want.FloatString(2)+".", "The number must not be greater than "+k.Want.FloatString(2)+".")
	case *kind.ExclusiveMaximum:
		fe.Add(field, "maximum", "Tallet skal være mindre end "+k.Want.FloatString(2)+".", "The number must be less than "+k.Want.FloatString(2)+".")
	case *kind.MinItems:
		fe.Add(field, "min-items", fmt.Sprintf("Angiv mindst %d.", k.Want), fmt.Sprintf("Give at least %d.", k.Want))
	case *kind.MaxItems:
		fe.Add(field, "max-items", fmt.Sprintf("Angiv højst %d.", k.Want), fmt.Sprintf("Give at most %d.", k.Want))
	default:
		fe.Add(field, "invalid", "Feltet er ikke gyldigt.", "The field is not valid.")
	}
}

func typesDa(ts []string) string {
	da := map[string]string{"string": "tekst", "number": "tal", "integer": "heltal", "boolean": "ja/nej", "object": "objekt", "array": "liste", "null": "tom"}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = da[t]
		if out[i] == "" {
			out[i] = t
		}
	}
	return strings.Join(out, " eller ")
}

func formatDa(f string) string {
	switch f {
	case "date":
		return "dato (ÅÅÅÅ-MM-DD)"
	case "date-time":
		return "dato og tid"
	case "email":
		return "e-mailadresse"
	case "uuid":
		return "UUID"
	}
	return f
}
