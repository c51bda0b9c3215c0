package form

import (
	"bytes"
	"encoding/json"
	"slices"

	"nemrefusion.dk/events"
)

// MaxSectionBytes caps one section's answers in a draft.
const MaxSectionBytes = 64 << 10

// Draft (kladde) is the information form as far as the person got: the
// answers per section and which sections were completed with "Gem og
// fortsæt" (validated). It is kept until the form is submitted, across
// log-outs (seeds/003, "Kladdefunktionalitet i oplysningsskemaet"). Only the
// information form has drafts.
type Draft struct {
	Answers   Answers  `json:"answers"`
	Completed []string `json:"completed"`
}

// Page is the page to resume on: the first section that applies and is not
// completed, or Summary when every applicable section is completed.
func (d Draft) Page(c Context) string {
	for _, s := range Sections(c, d.Answers) {
		if !slices.Contains(d.Completed, s) {
			return s
		}
	}
	return Summary
}

// ErrNotReached (code not-reached) is returned by Save for a section after the page reached:
// the sections depend on each other, so the person cannot jump ahead
// (seeds/003: "Den sygemeldte kan ikke hoppe fra emne til emne").
var ErrNotReached = events.FieldErrors{{Field: "section", Code: "not-reached",
	Da: "Du skal udfylde de foregående sider først.", En: "Please fill in the previous pages first."}}

// ErrNotApplicable (code not-applicable) is returned by Save for a section that does not apply
// given the earlier answers.
var ErrNotApplicable = events.FieldErrors{{Field: "section", Code: "not-applicable",
	Da: "Siden skal ikke udfyldes ud fra dine tidligere svar.", En: "The page does not apply given your earlier answers."}}

// Save stores one section's answers in the draft. With next ("Gem og
// fortsæt") the section is validated and marked completed; without it ("Gem
// og gå til forsiden") the answers are kept as they are, unvalidated, and
// the section counts as not completed. A section can be saved only when it
// applies and every applicable section before it is completed. Save
// returns the new draft; d is not changed.
func (d Draft) Save(c Context, section string, raw json.RawMessage, next bool) (Draft, error) {
	if !Known(section) {
		return d, events.FieldErrors{{Field: "section", Code: "unknown-section", Da: "Siden findes ikke i oplysningsskemaet.", En: "The page is not part of the information form."}}
	}
	applicable := Sections(c, d.Answers)
	i := slices.Index(applicable, section)
	if i < 0 {
		return d, ErrNotApplicable
	}
	for _, before := range applicable[:i] {
		if !slices.Contains(d.Completed, before) {
			return d, ErrNotReached
		}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > MaxSectionBytes {
		return d, events.FieldErrors{{Field: "answers", Code: "too-large", Da: "Svarene fylder for meget.", En: "The answers are too large."}}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return d, events.FieldErrors{{Field: "answers", Code: "type", Da: "Svarene skal være et JSON-objekt.", En: "The answers must be a JSON object."}}
	}
	out := Draft{Answers: Answers{}, Completed: slices.DeleteFunc(slices.Clone(d.Completed), func(s string) bool { return s == section })}
	for k, v := range d.Answers {
		out.Answers[k] = v
	}
	if next {
		checked, err := ValidateSection(c, section, raw)
		if err != nil {
			return d, err
		}
		raw = checked
		out.Completed = append(out.Completed, section)
	} else {
		raw = withPrefill(c, section, raw)
	}
	out.Answers[section] = raw
	return out, nil
}
