package grants

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"

	"nemrefusion.dk/functions/kernel"
)

//go:embed caps.json
var capsJSON []byte

// Schemes whose subsidy is a fraction of an amount, capped per year.
const (
	SchemeFlexjob         = "flexjob"         // LAB § 133
	SchemeSelfEmployed136 = "selfemployed136" // LAB § 136
)

// YearCap is the highest subsidy per person and year of one scheme, with
// where it was published.
type YearCap struct {
	Scheme string       `json:"scheme"`
	Year   int          `json:"year"`
	Amount kernel.Money `json:"amount"`
	Source string       `json:"source"`
}

// ErrNoCap is returned when no cap of a scheme is known for a year: the
// preview answers 422 naming the year, the function records the request
// without applying a cap (the municipality applies it).
type ErrNoCap struct {
	Scheme string
	Year   int
}

// Error names the scheme and year without a cap.
func (e ErrNoCap) Error() string {
	return fmt.Sprintf("no yearly cap of %s is configured for %d", e.Scheme, e.Year)
}

// Caps is the table of yearly caps. It is immutable.
type Caps struct{ caps map[string]YearCap }

func capKey(scheme string, year int) string { return fmt.Sprintf("%s/%d", scheme, year) }

// DefaultCaps returns the caps embedded in the package (caps.json). No cap
// figure has been found in the sources collected in shared/DOMAIN.md, so
// the table is empty until one is added with its source.
func DefaultCaps() (Caps, error) { return ParseCaps(capsJSON) }

// ParseCaps reads a JSON array of caps; each scheme and year once, with a
// positive amount and a source.
func ParseCaps(data []byte) (Caps, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var list []YearCap
	if err := dec.Decode(&list); err != nil {
		return Caps{}, fmt.Errorf("parse caps: %w", err)
	}
	c := Caps{caps: map[string]YearCap{}}
	for _, y := range list {
		k := capKey(y.Scheme, y.Year)
		switch {
		case y.Scheme != SchemeFlexjob && y.Scheme != SchemeSelfEmployed136:
			return Caps{}, fmt.Errorf("parse caps: unknown scheme %q", y.Scheme)
		case y.Amount <= 0 || y.Source == "":
			return Caps{}, fmt.Errorf("parse caps: %s needs a positive amount and its source", k)
		}
		if _, dup := c.caps[k]; dup {
			return Caps{}, fmt.Errorf("parse caps: %s appears twice", k)
		}
		c.caps[k] = y
	}
	return c, nil
}

// With returns a copy of c with cap y added (tests and configuration).
func (c Caps) With(y YearCap) (Caps, error) {
	out := Caps{caps: maps.Clone(c.caps)}
	if out.caps == nil {
		out.caps = map[string]YearCap{}
	}
	if y.Amount <= 0 || y.Source == "" {
		return c, fmt.Errorf("cap %s: needs a positive amount and its source", capKey(y.Scheme, y.Year))
	}
	out.caps[capKey(y.Scheme, y.Year)] = y
	return out, nil
}

// Cap returns the cap of scheme in year, or ErrNoCap.
func (c Caps) Cap(scheme string, year int) (YearCap, error) {
	y, ok := c.caps[capKey(scheme, year)]
	if !ok {
		return YearCap{}, ErrNoCap{Scheme: scheme, Year: year}
	}
	return y, nil
}
