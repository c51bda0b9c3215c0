package events

import "strings"

// FieldError is one problem with one field of submitted input, in the shape
// every 400 answer of the system carries: a JSON pointer-like field path, a
// stable machine code and the same message in Danish and English.
type FieldError struct {
	Field string `json:"field"`
	Code  string `json:"code"`
	Da    string `json:"da"`
	En    string `json:"en"`
}

// FieldErrors is every problem found in one input; validation reports them
// all at once rather than stopping at the first.
type FieldErrors []FieldError

// Error lists the fields and codes (never the values, which may be personal data).
func (fe FieldErrors) Error() string {
	parts := make([]string, 0, len(fe))
	for _, e := range fe {
		parts = append(parts, e.Field+": "+e.Code)
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add appends one field error.
func (fe *FieldErrors) Add(field, code, da, en string) {
	*fe = append(*fe, FieldError{Field: field, Code: code, Da: da, En: en})
}

// Err returns fe as an error, or nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}
