package kernel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	_ "time/tzdata" // Danish time in minimal images
)

// Date is a calendar date (year, month, day) without a time of day or a zone.
// The zero Date means "not given". Dates compare with ==, Before and After and
// travel in JSON as "YYYY-MM-DD".
type Date struct {
	year  int
	month time.Month
	day   int
}

// NewDate returns the date y-m-d, normalised the way time.Date normalises
// (31 April becomes 1 May).
func NewDate(y int, m time.Month, d int) Date {
	return dateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// ParseDate parses "YYYY-MM-DD" and rejects anything else, including dates
// that do not exist (2023-02-29).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: want YYYY-MM-DD: %w", s, err)
	}
	return dateOf(t), nil
}

func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{year: y, month: m, day: d}
}

func (d Date) time() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC)
}

// IsZero reports whether d is the zero Date ("not given").
func (d Date) IsZero() bool { return d == Date{} }

// Year returns the calendar year of d.
func (d Date) Year() int { return d.year }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.month }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.day }

// AddDays returns the date n calendar days after d (before it when n < 0).
func (d Date) AddDays(n int) Date { return dateOf(d.time().AddDate(0, 0, n)) }

// AddMonths returns the same day number n months later (earlier when n < 0);
// when that month is shorter, the result is its last day, so 31 May plus 3
// months is 31 August and 31 May minus 3 months is 28 (or 29) February.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.year, d.month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := min(d.day, last)
	return dateOf(time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC))
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.time().Before(o.time()) }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.time().After(o.time()) }

// DaysUntil returns the number of calendar days from d to o (negative when o
// is earlier); 4 March to 2 April 2024 is 29.
func (d Date) DaysUntil(o Date) int {
	return int(o.time().Sub(d.time()).Hours() / 24)
}

// EndOfMonth returns the last day of d's month.
func (d Date) EndOfMonth() Date {
	return dateOf(time.Date(d.year, d.month+1, 0, 0, 0, 0, 0, time.UTC))
}

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.year, int(d.month), d.day)
}

// Danish formats d the Danish way, "4. marts 2024".
func (d Date) Danish() string {
	return fmt.Sprintf("%d. %s %d", d.day, DanishMonth(d.month), d.year)
}

// English formats d as "4 March 2024".
func (d Date) English() string {
	return fmt.Sprintf("%d %s %d", d.day, d.month, d.year)
}

// DanishMonth returns the Danish name of m in lower case, "marts", the way
// letters and reasons write it inside a sentence.
func DanishMonth(m time.Month) string { return danishMonths[m-1] }

var danishMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli",
	"august", "september", "oktober", "november", "december"}

// MarshalJSON writes d as "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD"; null and "" leave the zero Date.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: want a string YYYY-MM-DD: %w", err)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Today returns today's date in Danish time, the calendar every deadline
// of the refusion laws is counted in.
func Today(now time.Time) Date { return dateOf(now.In(copenhagen)) }

// DateOf returns the Danish calendar date of t.
func DateOf(t time.Time) Date { return dateOf(t.In(copenhagen)) }

// Time returns midnight at the start of d in Danish time.
func (d Date) Time() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, copenhagen)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

var copenhagen = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Copenhagen"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()
