package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/schemas"
)

// Fuzz targets for the contract's decoders: the JSON Schema validation with
// its mapping to field errors (every event type), and the blankets' domain
// checks. The inputs name the event type without the "dk.nemrefusion."
// prefix; a name that is not a type (the fuzzer mutates it too) picks one
// by its length, so every input exercises some schema.

// knownTypes returns every type with a schema, sorted.
func knownTypes(t testing.TB) []string {
	compileOnce.Do(compileAll)
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	out := make([]string, 0, len(compiled))
	for typ := range compiled {
		out = append(out, typ)
	}
	sort.Strings(out)
	return out
}

// pickType resolves a fuzzed type name to one of types.
func pickType(types []string, name string) string {
	typ := TypePrefix + name
	for _, k := range types {
		if k == typ {
			return typ
		}
	}
	return types[len(name)%len(types)]
}

// addExamples adds every type's example (and a few broken variants of it)
// as seeds, for the types keep accepts.
func addExamples(f *testing.F, keep func(string) bool) {
	files, err := fs.Glob(schemas.FS, "examples/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no examples: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "examples/"), ".json")
		if !keep(TypePrefix + name) {
			continue
		}
		ex, err := fs.ReadFile(schemas.FS, file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, ex)
		f.Add(name, ex[:len(ex)/2])                                         // truncated
		f.Add(name, bytes.Replace(ex, []byte(`"`), []byte(`'`), 1))         // not JSON
		f.Add(name, bytes.Replace(ex, []byte(`: "`), []byte(`: 1, "x`), 1)) // wrong type, unknown field
		f.Add(name, bytes.Replace(ex, []byte(`"20`), []byte(`"99`), -1))    // impossible dates
	}
	for _, odd := range []string{"", " ", "null", "[]", "{}", `"x"`, "1e999", `{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
		`{"cpr":"\ud800"}`, `{"cvr":"30000005","cvr":1}`, "\xef\xbb\xbf{}"} {
		f.Add("sickness.employer.reported.v1", []byte(odd))
	}
}

// fixedTexts are texts the field errors quote as examples (the identifier
// errors' "fx 010190-1234"), which a submitted value may happen to contain.
var fixedTexts = func() string {
	var b strings.Builder
	for _, e := range []*ids.Error{ids.ErrCPRFormat, ids.ErrCPRDate, ids.ErrCVRFormat, ids.ErrCVRChecksum, ids.ErrPNumberFormat,
		ids.ErrMunicipalityUnknown, ids.ErrRecipientFormat} {
		b.WriteString(e.Da + "\n" + e.En + "\n")
	}
	return b.String()
}()

// valuesIn returns the string values (not keys) of a JSON document that
// could be personal data: at least min bytes long, with a digit.
func valuesIn(data []byte, min int) []string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if len(x) >= min && strings.ContainsAny(x, "0123456789") && !strings.Contains(fixedTexts, x) {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// checkFieldErrors fails unless err is field errors (possibly wrapped),
// each with a code and both texts, none quoting a submitted value that is
// not part of the schema itself.
func checkFieldErrors(t *testing.T, typ string, data []byte, err error) FieldErrors {
	t.Helper()
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("%s: %v is not field errors", typ, err)
	}
	if len(fe) == 0 {
		t.Fatalf("%s: empty field errors", typ)
	}
	schema, _ := fs.ReadFile(schemas.FS, strings.TrimPrefix(typ, TypePrefix)+".json")
	values := valuesIn(data, 8)
	for _, e := range fe {
		if e.Code == "" || strings.TrimSpace(e.Da) == "" || strings.TrimSpace(e.En) == "" {
			t.Fatalf("%s: field error without code or texts: %+v", typ, e)
		}
		for _, v := range values {
			if (strings.Contains(e.Da, v) || strings.Contains(e.En, v)) && !bytes.Contains(schema, []byte(v)) {
				t.Fatalf("%s: field error %s quotes a submitted value", typ, e.Code)
			}
		}
	}
	return fe
}

// reencode decodes JSON into plain values and encodes it again.
func reencode(t *testing.T, data []byte) []byte {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("valid data does not decode: %v", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	return b
}

// yearOutOfRange finds a date-like string whose year is outside
// MinDate–MaxDate (0000–1899, 2200–9999).
var yearOutOfRange = regexp.MustCompile(`"(0[0-9]{3}|1[0-8][0-9]{2}|2[2-9][0-9]{2}|[3-9][0-9]{3})-[0-9]{2}-[0-9]{2}`)

// fieldIsDate reports whether the field at the dotted path (objects only)
// of typ's schema is a date: year 0000 there is a date-range error.
func fieldIsDate(typ, path string) bool {
	var fe FieldErrors
	probe := map[string]any{}
	cur := probe
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next := map[string]any{}
		cur[p] = next
		cur = next
	}
	cur[parts[len(parts)-1]] = "0000-01-01"
	b, _ := json.Marshal(probe)
	if errors.As(ValidateJSON(typ, b), &fe) {
		for _, e := range fe {
			if e.Field == path && e.Code == "date-range" {
				return true
			}
		}
	}
	return false
}

// FuzzValidateJSON checks the schema validation and its mapping to field
// errors for every event type: never a panic, only nil or field errors with
// both texts and no submitted values, and data found valid stays valid when
// decoded and encoded again; accepted data is UTF-8 and has no date field
// outside MinDate–MaxDate.
func FuzzValidateJSON(f *testing.F) {
	types := knownTypes(f)
	addExamples(f, func(string) bool { return true })
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		typ := pickType(types, name)
		err := ValidateJSON(typ, data)
		if err != nil {
			checkFieldErrors(t, typ, data, err)
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("%s: accepted data that is not UTF-8: %q", typ, data)
		}
		if m := yearOutOfRange.Find(data); m != nil {
			// A date-like string out of range may be in a free-text field;
			// in a date field it must have been refused.
			var doc any
			_ = json.Unmarshal(data, &doc)
			withEachDate(doc, "", func(path, value string, _ func(string)) {
				if value[:4] < MinDate[:4] || value[:4] > MaxDate[:4] {
					if fieldIsDate(typ, path) {
						t.Fatalf("%s: accepted %s = %s", typ, path, value)
					}
				}
			})
		}
		if err := ValidateJSON(typ, reencode(t, data)); err != nil {
			t.Fatalf("%s: valid data re-encoded is invalid: %v", typ, err)
		}
	})
}
