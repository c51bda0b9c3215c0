package grants

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

//go:embed caps.json
var capsJSON []byte

// Schemes whose subsidy is a fraction of an amount, capped per year.
const (
	SchemeFlexjob         = "flexjob"         // LAB § 133
	SchemeSelfEmployed136 = "selfemployed136" // LAB § 136
)

// YearCap is the ceiling of one fraction scheme in one year, with where it
// was published: LAB § 133, stk. 3, and § 136, stk. 2, say the subsidy "kan
// dog højst beregnes ud fra et beløb på" Amount a year (årsbasis) or Hourly
// an hour (timebasis). The highest subsidy of the year is the fraction (½
// or ⅔) of Amount; a period's basis is at most its hours × Hourly when the
// request gives its hours.
type YearCap struct {
	Scheme string       `json:"scheme"`
	Year   int          `json:"year"`
	Amount kernel.Money `json:"amount"`
	Hourly kernel.Money `json:"hourly,omitempty"`
	Source string       `json:"source"`
	// Note says what the figure is (e.g. "2019-niveau"), for the reason.
	Note string `json:"note,omitempty"`
}

// ErrNoCap is returned when no cap of a scheme is known for a year: the
// preview answers 422 naming the year and the function rejects the request
// with a field error naming it (NoCapFieldError). A year is never allowed
// without its cap.
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

// DefaultCaps returns the caps embedded in the package (caps.json): the
// figures LAB § 133, stk. 3, and § 136, stk. 2, give (2019-niveau, so for
// 2019). The yearly regulated figures of later years are not in the
// sources; each is added with its source, and until then a request for such
// a year is refused (ErrNoCap), never paid without its cap.
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
		case y.Amount <= 0 || y.Hourly < 0 || y.Source == "":
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

// NoCapFieldError is the rejection of a request for a period in a year
// whose cap is not in the table: field-level, naming the law and the year.
func NoCapFieldError(e ErrNoCap, field string) events.FieldErrors {
	law := lawOf(e.Scheme)
	return events.FieldErrors{{Field: field, Code: "no_cap",
		Da: fmt.Sprintf("Loftet for tilskuddet efter %s for %d findes ikke i systemet, så tilskuddet kan ikke beregnes. Kontakt jobcenteret.", law, e.Year),
		En: fmt.Sprintf("The cap of the subsidy under %s for %d is not in the system, so the subsidy cannot be computed. Contact the jobcentre.", law, e.Year)}}
}

// lawOf names the law of a fraction scheme.
func lawOf(scheme string) string {
	if scheme == SchemeSelfEmployed136 {
		return "LAB § 136"
	}
	return "LAB § 133"
}
