package records

import (
	"errors"
	"fmt"
	"time"

	"nemrefusion.dk/events/ids"
)

// IncomeMonth is one month of income from one employer as reported to
// eIndkomst.
type IncomeMonth struct {
	CPR      ids.CPR `json:"cpr"`
	Employer ids.CVR `json:"employer"`
	Month    Month   `json:"month"`
	// Hours is the number of hours worked (eIndkomst field 200, "antal
	// timer"); may have decimals.
	Hours float64 `json:"hours"`
	// AMIncomeOre is the income liable to labour-market contribution
	// (AM-bidragspligtig indkomst) in øre (1 kr = 100 øre).
	AMIncomeOre int64 `json:"amIncomeOre"`
}

// Month is a calendar month, e.g. May 2024, written "2024-05". The zero
// value means "no month".
type Month struct {
	year  int
	month time.Month
}

// ErrMonthFormat is returned for a month that is not "YYYY-MM".
var ErrMonthFormat = errors.New(`month must be "YYYY-MM"`)

// NewMonth returns the month m of year y; it normalises like time.Date
// (month 13 of 2024 is January 2025).
func NewMonth(y int, m time.Month) Month {
	t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return Month{year: t.Year(), month: t.Month()}
}

// MonthOf returns the calendar month t falls in (in t's location).
func MonthOf(t time.Time) Month { return Month{year: t.Year(), month: t.Month()} }

// ParseMonth parses "YYYY-MM" with a year from 1900 to 2999.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 || t.Year() < 1900 || t.Year() > 2999 {
		return Month{}, fmt.Errorf("parse month %q: %w", s, ErrMonthFormat)
	}
	return MonthOf(t), nil
}

// IsZero reports whether m is the zero value.
func (m Month) IsZero() bool { return m.year == 0 && m.month == 0 }

// Year returns the year.
func (m Month) Year() int { return m.year }

// Month returns the month of the year.
func (m Month) Month() time.Month { return m.month }

// AddMonths returns the month n months later (earlier for negative n).
func (m Month) AddMonths(n int) Month { return NewMonth(m.year, m.month+time.Month(n)) }

// First returns the first day of the month at midnight UTC.
func (m Month) First() time.Time { return time.Date(m.year, m.month, 1, 0, 0, 0, 0, time.UTC) }

// Compare returns -1, 0 or +1 as m is before, equal to or after o.
func (m Month) Compare(o Month) int {
	a, b := m.year*12+int(m.month), o.year*12+int(o.month)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether m is before o.
func (m Month) Before(o Month) bool { return m.Compare(o) < 0 }

// String returns "YYYY-MM", or "" for the zero value.
func (m Month) String() string {
	if m.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", m.year, int(m.month))
}

// MarshalText returns "YYYY-MM".
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses "YYYY-MM".
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
