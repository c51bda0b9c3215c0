package kernel

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// HoursPerWeek is the divisor that turns the weekly maximum rate into the
// hourly one (the hourly rate is the weekly rate / 37).
const HoursPerWeek = 37

//go:embed rates.json
var ratesJSON []byte

// Rate is the maximum sygedagpenge rate of one calendar year, with where it
// was published. Provisional marks a rate registered locally before the
// official one is known; results computed with it say so.
type Rate struct {
	Year        int    `json:"year"`
	Weekly      Money  `json:"weekly"`
	Hourly      Money  `json:"hourly"`
	Source      string `json:"source"`
	Provisional bool   `json:"provisional"`
}

// ErrNoRate is returned when no maximum rate is known for a year. The HTTP
// layer maps it to 422 naming the year: the system refuses rather than guess.
type ErrNoRate struct {
	Year int
}

// Error names the year without a rate.
func (e ErrNoRate) Error() string {
	return fmt.Sprintf("no maximum sygedagpenge rate is configured for %d", e.Year)
}

// Table is a versioned table of maximum rates per year. It is immutable: the
// With methods return a new Table.
type Table struct {
	rates map[int]Rate
}

// DefaultTable returns the published rates embedded in the package
// (rates.json, each with its source). It fails only if the embedded file is
// broken, which the package's tests rule out.
func DefaultTable() (Table, error) {
	return ParseTable(ratesJSON)
}

// ParseTable reads a JSON array of rates. Each year may appear once, every
// amount must be positive, and the hourly rate must equal weekly / 37 rounded
// half up to whole øre; otherwise the table is refused.
func ParseTable(data []byte) (Table, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var list []Rate
	if err := dec.Decode(&list); err != nil {
		return Table{}, fmt.Errorf("parse rate table: %w", err)
	}
	t := Table{rates: make(map[int]Rate, len(list))}
	for _, r := range list {
		if _, dup := t.rates[r.Year]; dup {
			return Table{}, fmt.Errorf("parse rate table: year %d appears twice", r.Year)
		}
		if r.Weekly <= 0 || r.Hourly <= 0 {
			return Table{}, fmt.Errorf("parse rate table: year %d: amounts must be positive", r.Year)
		}
		if want := HourlyFromWeekly(r.Weekly); r.Hourly != want {
			return Table{}, fmt.Errorf("parse rate table: year %d: hourly %s is not weekly %s / %d = %s",
				r.Year, r.Hourly, r.Weekly, HoursPerWeek, want)
		}
		if r.Source == "" && !r.Provisional {
			return Table{}, fmt.Errorf("parse rate table: year %d: a published rate needs its source", r.Year)
		}
		t.rates[r.Year] = r
	}
	return t, nil
}

// HourlyFromWeekly returns weekly / 37 rounded half up to whole øre
// (4,695 kr → 126.89 kr).
func HourlyFromWeekly(weekly Money) Money {
	return Money(divRoundHalfUp(int64(weekly), HoursPerWeek))
}

// Rate returns the maximum rate of year, or ErrNoRate{year}.
func (t Table) Rate(year int) (Rate, error) {
	r, ok := t.rates[year]
	if !ok {
		return Rate{}, ErrNoRate{Year: year}
	}
	return r, nil
}

// Rates returns every rate in the table, by year.
func (t Table) Rates() []Rate {
	years := slices.Sorted(maps.Keys(t.rates))
	out := make([]Rate, 0, len(years))
	for _, y := range years {
		out = append(out, t.rates[y])
	}
	return out
}

// WithProvisional returns a copy of t with a provisional maximum rate for year
// (the hourly rate derived as weekly / 37), for the local stack to use before
// the official rate is known. It refuses to replace a published rate and a
// non-positive amount. A provisional rate may replace an earlier provisional one.
func (t Table) WithProvisional(year int, weekly Money) (Table, error) {
	if weekly <= 0 {
		return Table{}, fmt.Errorf("provisional rate %d: weekly amount must be positive", year)
	}
	if r, ok := t.rates[year]; ok && !r.Provisional {
		return Table{}, fmt.Errorf("provisional rate %d: a published rate exists (%s)", year, r.Source)
	}
	out := Table{rates: maps.Clone(t.rates)}
	if out.rates == nil {
		out.rates = map[int]Rate{}
	}
	out.rates[year] = Rate{
		Year:        year,
		Weekly:      weekly,
		Hourly:      HourlyFromWeekly(weekly),
		Source:      "provisional: registered locally, not a published rate",
		Provisional: true,
	}
	return out, nil
}
