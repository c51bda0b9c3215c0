package kernel

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// HoursPerWeek is the divisor that turns the weekly maximum rate into the
// hourly one (the hourly rate is the weekly rate / 37).
const HoursPerWeek = 37

//go:embed rates.json
var ratesJSON []byte

// DefaultRatesJSON is the committed table of published rates (rates.json),
// the seed the functions that keep rates in their database start from.
func DefaultRatesJSON() []byte { return slices.Clone(ratesJSON) }

// Rate is the maximum sygedagpenge rate of one year (sygedagpengeloven § 50,
// stk. 1), with where it was published. It applies from EffectiveFrom, the
// first Monday of January of Year unless the table says otherwise, until the
// next year's rate takes effect; the days of January before EffectiveFrom
// still use the previous year's rate. Provisional marks a rate registered
// before the official one is known; results computed with it say so.
type Rate struct {
	Year          int    `json:"year"`
	EffectiveFrom Date   `json:"effectiveFrom"`
	Weekly        Money  `json:"weekly"`
	Hourly        Money  `json:"hourly"`
	Source        string `json:"source"`
	Provisional   bool   `json:"provisional"`
}

// FirstMondayOfJanuary is the day a year's maximum rate takes effect
// (sygedagpengeloven § 50, stk. 1: the rate is adjusted once a year on the
// first Monday of January; bm.dk: Monday 7 January 2019, Monday 5 January
// 2015).
func FirstMondayOfJanuary(year int) Date {
	d := NewDate(year, time.January, 1)
	for d.Weekday() != time.Monday {
		d = d.AddDays(1)
	}
	return d
}

// ErrNoRate is returned when no maximum rate is known for the rate year
// in force on a date. The HTTP layer maps it to 422 naming the year and the
// date: the system refuses rather than guess. Date is zero when the rate was
// asked for by year.
type ErrNoRate struct {
	Year int
	Date Date
}

// Error names the year without a rate and the date it was needed for.
func (e ErrNoRate) Error() string {
	if e.Date.IsZero() {
		return fmt.Sprintf("no maximum sygedagpenge rate is configured for %d", e.Year)
	}
	return fmt.Sprintf("no maximum sygedagpenge rate is configured for %d (needed for %s; the %d rate applies from %s)",
		e.Year, e.Date, e.Year, FirstMondayOfJanuary(e.Year))
}

// Da explains the missing rate in Danish, for a person.
func (e ErrNoRate) Da() string {
	s := fmt.Sprintf("Der er ingen højeste sygedagpengesats for %d i systemet", e.Year)
	if !e.Date.IsZero() {
		s += fmt.Sprintf(" (den gælder for %s; %d-satsen gælder fra første mandag i januar, %s)", e.Date.Danish(), e.Year, FirstMondayOfJanuary(e.Year).Danish())
	}
	return s + "."
}

// En explains the missing rate in English, for a person.
func (e ErrNoRate) En() string {
	s := fmt.Sprintf("No maximum sygedagpenge rate for %d is configured", e.Year)
	if !e.Date.IsZero() {
		s += fmt.Sprintf(" (it is the rate for %s; the %d rate applies from the first Monday of January, %s)", e.Date.English(), e.Year, FirstMondayOfJanuary(e.Year).English())
	}
	return s + "."
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

// ParseTable reads a JSON array of rates (NewTable says what is refused).
func ParseTable(data []byte) (Table, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var list []Rate
	if err := dec.Decode(&list); err != nil {
		return Table{}, fmt.Errorf("parse rate table: %w", err)
	}
	t, err := NewTable(list)
	if err != nil {
		return Table{}, fmt.Errorf("parse rate table: %w", err)
	}
	return t, nil
}

// NewTable returns the table of list. Each year may appear once; every rate
// must pass CheckRate. A missing EffectiveFrom is the first Monday of
// January of the year.
func NewTable(list []Rate) (Table, error) {
	t := Table{rates: make(map[int]Rate, len(list))}
	for _, r := range list {
		if _, dup := t.rates[r.Year]; dup {
			return Table{}, fmt.Errorf("year %d appears twice", r.Year)
		}
		r, err := CheckRate(r)
		if err != nil {
			return Table{}, err
		}
		t.rates[r.Year] = r
	}
	return t, nil
}

// CheckRate returns r with its EffectiveFrom filled in (the first Monday of
// January of r.Year when zero), or an error when the amounts are not
// positive, the hourly rate is not weekly / 37 rounded half up to whole øre,
// the effective date lies outside r.Year, or a published rate has no source.
func CheckRate(r Rate) (Rate, error) {
	if r.Year < 1900 || r.Year > 9999 {
		return r, fmt.Errorf("year %d is out of range", r.Year)
	}
	if r.Weekly <= 0 || r.Hourly <= 0 {
		return r, fmt.Errorf("year %d: amounts must be positive", r.Year)
	}
	if want := HourlyFromWeekly(r.Weekly); r.Hourly != want {
		return r, fmt.Errorf("year %d: hourly %s is not weekly %s / %d = %s", r.Year, r.Hourly, r.Weekly, HoursPerWeek, want)
	}
	if r.Source == "" && !r.Provisional {
		return r, fmt.Errorf("year %d: a published rate needs its source", r.Year)
	}
	if r.EffectiveFrom.IsZero() {
		r.EffectiveFrom = FirstMondayOfJanuary(r.Year)
	}
	if r.EffectiveFrom.Year() != r.Year {
		return r, fmt.Errorf("year %d: effective date %s is not in %d", r.Year, r.EffectiveFrom, r.Year)
	}
	return r, nil
}

// HourlyFromWeekly returns weekly / 37 rounded half up to whole øre
// (4,695 kr → 126.89 kr).
func HourlyFromWeekly(weekly Money) Money {
	return Money(divRoundHalfUp(int64(weekly), HoursPerWeek))
}

// Rate returns the maximum rate of year (the rate that year's adjustment
// gave, whatever day it took effect), or ErrNoRate{Year: year}. To find the
// rate that applies to a day, use RateOn.
func (t Table) Rate(year int) (Rate, error) {
	r, ok := t.rates[year]
	if !ok {
		return Rate{}, ErrNoRate{Year: year}
	}
	return r, nil
}

// effectiveFrom is the day year's rate takes effect: its own date when the
// table has it, else the first Monday of January.
func (t Table) effectiveFrom(year int) Date {
	if r, ok := t.rates[year]; ok {
		return r.EffectiveFrom
	}
	return FirstMondayOfJanuary(year)
}

// YearOn returns the year whose rate is in force on d: d's year from its
// effective date (the first Monday of January) on, the year before for the
// days of January before it (sygedagpengeloven § 50, stk. 1).
func (t Table) YearOn(d Date) int {
	if d.Before(t.effectiveFrom(d.Year())) {
		return d.Year() - 1
	}
	return d.Year()
}

// RateOn returns the maximum rate in force on d (YearOn), or
// ErrNoRate{Year, Date: d} when that year has no rate. A year without a
// rate is never bridged with the one before: 2014's days after 6 January
// 2014 have no rate even though 2013's is known.
func (t Table) RateOn(d Date) (Rate, error) {
	y := t.YearOn(d)
	r, ok := t.rates[y]
	if !ok {
		return Rate{}, ErrNoRate{Year: y, Date: d}
	}
	return r, nil
}

// RateSegment is a run of days [From, To] with one maximum rate.
type RateSegment struct {
	From, To Date
	Rate     Rate
}

// Segments splits the days from..to (inclusive) where the rate in force
// changes, each part with its rate, so that a period spanning the first
// Monday of January uses the old rate before it and the new one from it. It
// returns ErrNoRate for the first day whose rate year has no rate, and nil
// for an empty period (to before from).
func (t Table) Segments(from, to Date) ([]RateSegment, error) {
	var out []RateSegment
	for start := from; !start.After(to); {
		r, err := t.RateOn(start)
		if err != nil {
			return nil, err
		}
		end := t.effectiveFrom(r.Year + 1).AddDays(-1)
		if to.Before(end) {
			end = to
		}
		out = append(out, RateSegment{From: start, To: end, Rate: r})
		start = end.AddDays(1)
	}
	return out, nil
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

// With returns a copy of t with r in place of the rate of its year (checked
// with CheckRate). It refuses to replace a published rate with a
// provisional one.
func (t Table) With(r Rate) (Table, error) {
	r, err := CheckRate(r)
	if err != nil {
		return Table{}, fmt.Errorf("rate %d: %w", r.Year, err)
	}
	if old, ok := t.rates[r.Year]; ok && !old.Provisional && r.Provisional {
		return Table{}, fmt.Errorf("provisional rate %d: a published rate exists (%s)", r.Year, old.Source)
	}
	out := Table{rates: maps.Clone(t.rates)}
	if out.rates == nil {
		out.rates = map[int]Rate{}
	}
	out.rates[r.Year] = r
	return out, nil
}

// ProvisionalSource is the source of a provisional rate that names none.
const ProvisionalSource = "provisional: registered locally, not a published rate"

// WithProvisional returns a copy of t with a provisional maximum rate for year
// (the hourly rate derived as weekly / 37, taking effect on the first Monday
// of January), for use before the official rate is known. It refuses to
// replace a published rate and a non-positive amount. A provisional rate may
// replace an earlier provisional one.
func (t Table) WithProvisional(year int, weekly Money) (Table, error) {
	if weekly <= 0 {
		return Table{}, fmt.Errorf("provisional rate %d: weekly amount must be positive", year)
	}
	return t.With(Rate{Year: year, Weekly: weekly, Hourly: HourlyFromWeekly(weekly), Source: ProvisionalSource, Provisional: true})
}
