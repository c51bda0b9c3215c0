package kernel

import (
	"testing"
	"time"
)

const (
	January   = time.January
	February  = time.February
	March     = time.March
	April     = time.April
	May       = time.May
	June      = time.June
	July      = time.July
	August    = time.August
	September = time.September
	October   = time.October
	November  = time.November
	December  = time.December
)

// date reads like the law's examples: date(4, March, 2024).
func date(d int, m time.Month, y int) Date { return NewDate(y, m, d) }

func defaultTable(t *testing.T) Table {
	t.Helper()
	tab, err := DefaultTable()
	if err != nil {
		t.Fatalf("DefaultTable: %v", err)
	}
	return tab
}
