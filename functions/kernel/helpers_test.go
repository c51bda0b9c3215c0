package kernel

import (
	"testing"
	"time"
)

// date reads like the law's examples: date(4, time.March, 2024).
func date(d int, m time.Month, y int) Date { return NewDate(y, m, d) }

func defaultTable(t *testing.T) Table {
	t.Helper()
	tab, err := DefaultTable()
	if err != nil {
		t.Fatalf("DefaultTable: %v", err)
	}
	return tab
}
