package events

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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

// Dates in every schema ("format": "date" and "date-time") must lie
// between MinDate and MaxDate, on top of being valid RFC 3339 dates: the
// validation layer, so every blanket, form page and event gets it. The
// range keeps out impossible years (0 and 9999 were stored before) and
// nothing real: the earliest real dates are employment, membership and
// residence starts ("employedSince" of someone born in the 1930s), the
// latest deadlines and expected returns a few years ahead. No tighter range
// is set here for absence dates: the law's deadlines (report within 5 weeks,
// § 40; refusion at most 3 months back and never dispensation more than 6
// months after the first absence day, § 59) are counted from the day of
// receipt, and a late report is still legal (it gets refusion from the day
// it is received), so they belong to the refusion rules, which know that
// day, not to a fixed range.
const (
	MinDate = "1900-01-01"
	MaxDate = "2199-12-31"
)

// errDateRange marks a date outside MinDate–MaxDate.
var errDateRange = errors.New("date outside " + MinDate + " to " + MaxDate)

// dateTimeFormat is the library's own date-time check, which the range is
// added to.
var dateTimeFormat = sync.OnceValue(func() *jsonschema.Schema {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = SchemaBase + "internal/date-time.json"
	if err := c.AddResource(url, map[string]any{"format": "date-time"}); err != nil {
		panic(err) // a constant schema: cannot fail
	}
	return c.MustCompile(url)
})

// inRange checks the year of a date or date-time that is otherwise valid.
func inRange(s string) error {
	if len(s) < 10 || s[:10] < MinDate || s[:10] > MaxDate {
		return errDateRange
	}
	return nil
}

// NewSchemaCompiler is a JSON Schema compiler that asserts formats, with
// "date" and "date-time" limited to MinDate–MaxDate. Every compiler of the
// contract's schemas uses it (this package's, the citizen form's).
func NewSchemaCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "date", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return err
		}
		return inRange(s)
	}})
	c.RegisterFormat(&jsonschema.Format{Name: "date-time", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		if err := dateTimeFormat().Validate(s); err != nil {
			return err
		}
		return inRange(s)
	}})
	return c
}

// compileAll compiles every schema in schemas.FS once, keyed by event type.
func compileAll() {
	compiled = map[string]*jsonschema.Schema{}
	c := NewSchemaCompiler()
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
// messages); dates outside MinDate–MaxDate are field errors with code
// "date-range". A dataschema attribute, when set, must be the type's schema.
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

// ValidateData validates raw JSON data against a compiled schema. Data that
// is not UTF-8 is refused before the schema (encoding/json would quietly
// replace the bad bytes with U+FFFD, so the stored text and what was
// checked would differ).
func ValidateData(s *jsonschema.Schema, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return FieldErrors{{Field: "", Code: "required", Da: "Beskeden har ingen data.", En: "The message has no data."}}
	}
	if !utf8.Valid(data) {
		return FieldErrors{{Field: "", Code: "utf8", Da: "Data er ikke gyldig UTF-8.", En: "The data is not valid UTF-8."}}
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
		if errors.Is(k.Err, errDateRange) {
			fe.Add(field, "date-range", "Datoen skal ligge mellem "+MinDate+" og "+MaxDate+".", "The date must be between "+MinDate+" and "+MaxDate+".")
			break
		}
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
