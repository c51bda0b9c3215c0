package form

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"nemrefusion.dk/events"
	"nemrefusion.dk/schemas"
)

// schemaFile is the form's schema in nemrefusion.dk/schemas.
const schemaFile = "citizen.information-form.v1.json"

var (
	compileOnce sync.Once
	compileErr  error
	whole       *jsonschema.Schema
	bySection   map[string]*jsonschema.Schema
)

// compile compiles the whole form and each section's $defs entry once.
func compile() {
	b, err := fs.ReadFile(schemas.FS, schemaFile)
	if err != nil {
		compileErr = fmt.Errorf("form schema: %w", err)
		return
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		compileErr = fmt.Errorf("form schema: %w", err)
		return
	}
	c := events.NewSchemaCompiler() // formats asserted, dates within events.MinDate–MaxDate
	url := events.SchemaBase + schemaFile
	if err := c.AddResource(url, doc); err != nil {
		compileErr = fmt.Errorf("form schema: %w", err)
		return
	}
	if whole, err = c.Compile(url); err != nil {
		compileErr = fmt.Errorf("form schema: %w", err)
		return
	}
	bySection = map[string]*jsonschema.Schema{}
	for _, s := range Order {
		if bySection[s], err = c.Compile(url + "#/$defs/" + s); err != nil {
			compileErr = fmt.Errorf("form schema, section %s: %w", s, err)
			return
		}
	}
}

// SchemaRef is the URI of a section's schema, for the web app.
func SchemaRef(section string) string {
	return events.SchemaBase + schemaFile + "#/$defs/" + section
}

// Prefill returns what Mit Sygefravær fills in on a section's page: the
// target date on "Tilbage i arbejde" and the employer's retention answers on
// "Arbejdsplads og arbejdsfunktioner".
func Prefill(c Context, section string) map[string]any {
	switch section {
	case BackToWork:
		return map[string]any{"targetDate": c.TargetDate().Format(time.DateOnly)}
	case Workplace:
		if c.Retention != nil {
			return map[string]any{"retention": c.Retention}
		}
		return map[string]any{"retention": nil}
	}
	return nil
}

// withPrefill sets the read-only fields Mit Sygefravær fills in, whatever
// the client sent (the target date).
func withPrefill(c Context, section string, raw json.RawMessage) json.RawMessage {
	if section != BackToWork {
		return raw
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return raw
	}
	m["targetDate"], _ = json.Marshal(c.TargetDate().Format(time.DateOnly))
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}

// ValidateSection checks one section's answers against its schema and the
// rules the schema cannot state, and returns them with the read-only fields
// filled in. Field paths are relative to the section. The error is
// events.FieldErrors for bad input.
func ValidateSection(c Context, section string, raw json.RawMessage) (json.RawMessage, error) {
	compileOnce.Do(compile)
	if compileErr != nil {
		return nil, compileErr
	}
	s, ok := bySection[section]
	if !ok {
		return nil, events.FieldErrors{{Field: "section", Code: "unknown-section", Da: "Siden findes ikke i oplysningsskemaet.", En: "The page is not part of the information form."}}
	}
	raw = withPrefill(c, section, raw)
	if err := events.ValidateData(s, raw); err != nil {
		return nil, err
	}
	if fe := rules(c, section, raw); len(fe) > 0 {
		return nil, fe
	}
	return raw, nil
}

// rules are the checks a JSON Schema cannot express: those that depend on
// the context (the employer's retention answers) or on today.
func rules(c Context, section string, raw json.RawMessage) events.FieldErrors {
	var fe events.FieldErrors
	switch section {
	case Workplace:
		if c.Retention != nil {
			break
		}
		// The employer did not answer: the person answers the three
		// questions themself (seeds/003, "Arbejdsplads og arbejdsfunktioner").
		var w map[string]any
		_ = json.Unmarshal(raw, &w)
		for _, f := range []string{"partialResumptionAnswer", "expectsReturnAnswer", "retentionPlanAnswer"} {
			if v, _ := w[f].(string); strings.TrimSpace(v) == "" {
				fe.Add(f, "required", "Besvar spørgsmålet. Din arbejdsgiver har ikke svaret på det.", "Please answer the question. Your employer has not answered it.")
			}
		}
	case Injury:
		var in struct {
			Date string `json:"injuryDate"`
		}
		_ = json.Unmarshal(raw, &in)
		if d, err := time.Parse(time.DateOnly, in.Date); err == nil && d.After(c.FirstAbsenceDay) {
			fe.Add("injuryDate", "after-first-absence-day", "Skaden kan ikke være sket efter din første fraværsdag.", "The injury cannot have happened after your first day of absence.")
		}
	}
	return fe
}

// Validate checks the whole form: every section that applies must be there
// and valid; sections that do not apply are left out of the result. Field
// paths are "<section>.<field>". It returns the form as sent to the
// municipality.
func Validate(c Context, a Answers) (json.RawMessage, error) {
	compileOnce.Do(compile)
	if compileErr != nil {
		return nil, compileErr
	}
	var fe events.FieldErrors
	out := map[string]json.RawMessage{}
	for _, s := range Sections(c, a) {
		raw, ok := a[s]
		if !ok {
			fe.Add(s, "required", "Siden \""+Titles[s][0]+"\" er ikke udfyldt.", "The page \""+Titles[s][1]+"\" has not been filled in.")
			continue
		}
		checked, err := ValidateSection(c, s, raw)
		if err != nil {
			sfe, ok := err.(events.FieldErrors)
			if !ok {
				return nil, err
			}
			for _, e := range sfe {
				e.Field = strings.TrimSuffix(s+"."+e.Field, ".")
				fe = append(fe, e)
			}
			continue
		}
		out[s] = checked
	}
	if len(fe) > 0 {
		return nil, fe
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode form: %w", err)
	}
	if err := events.ValidateData(whole, b); err != nil {
		return nil, err
	}
	return b, nil
}
