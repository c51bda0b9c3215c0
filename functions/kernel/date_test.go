package kernel

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDateAddMonthsClampsToMonthEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from Date
		n    int
		want Date
	}{
		{date(4, time.March, 2024), 6, date(4, time.September, 2024)},
		{date(31, time.May, 2024), 3, date(31, time.August, 2024)},
		{date(31, time.May, 2024), -3, date(29, time.February, 2024)},
		{date(31, time.May, 2023), -3, date(28, time.February, 2023)},
		{date(31, time.August, 2024), 1, date(30, time.September, 2024)},
		{date(15, time.November, 2024), 3, date(15, time.February, 2025)},
		{date(10, time.January, 2025), -3, date(10, time.October, 2024)},
	}
	for _, tt := range tests {
		if got := tt.from.AddMonths(tt.n); got != tt.want {
			t.Errorf("%s + %d months = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	t.Parallel()
	f := date(4, time.March, 2024)
	if got := f.AddDays(29); got != date(2, time.April, 2024) {
		t.Errorf("4 March + 29 days = %s", got)
	}
	if got := f.DaysUntil(date(2, time.April, 2024)); got != 29 {
		t.Errorf("days 4 March → 2 April = %d, want 29", got)
	}
	if got := date(31, time.December, 2024).DaysUntil(date(1, time.January, 2025)); got != 1 {
		t.Errorf("days across new year = %d", got)
	}
	if !f.Before(f.AddDays(1)) || f.After(f) || f.Before(f) {
		t.Error("Before/After wrong")
	}
	if got := date(10, time.February, 2024).EndOfMonth(); got != date(29, time.February, 2024) {
		t.Errorf("end of February 2024 = %s", got)
	}
	if (Date{}).String() != "" || !(Date{}).IsZero() || f.IsZero() {
		t.Error("zero date handling wrong")
	}
	if got := f.Danish(); got != "4. marts 2024" {
		t.Errorf("Danish = %q", got)
	}
	if got := f.English(); got != "4 March 2024" {
		t.Errorf("English = %q", got)
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct {
		D Date  `json:"d"`
		P *Date `json:"p"`
		Z Date  `json:"z"`
	}{D: date(4, time.March, 2024), P: nil})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"d":"2024-03-04","p":null,"z":null}`; got != want {
		t.Errorf("marshal = %s, want %s", got, want)
	}
	var v struct {
		D Date  `json:"d"`
		P *Date `json:"p"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2024-04-08","p":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.D != date(8, time.April, 2024) || v.P != nil {
		t.Errorf("unmarshal = %+v", v)
	}
	for _, bad := range []string{`{"d":"2024-02-30"}`, `{"d":"04-03-2024"}`, `{"d":20240304}`, `{"d":"2024-3-4"}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("unmarshal %s: want an error", bad)
		}
	}
}

func TestDanishCalendar(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 31 December is already 1 January in Denmark.
	late := time.Date(2024, 12, 31, 23, 30, 0, 0, time.UTC)
	if got := DateOf(late); got != date(1, time.January, 2025) {
		t.Errorf("DateOf(%s) = %s, want 2025-01-01", late, got)
	}
	if got := Today(late); got != date(1, time.January, 2025) {
		t.Errorf("Today = %s", got)
	}
	if got := date(1, time.January, 2025).Time(); !got.Equal(time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("Time = %s, want midnight Danish time", got)
	}
	if got := date(4, time.March, 2024).Weekday(); got != time.Monday {
		t.Errorf("4 March 2024 is a %s, want Monday", got)
	}
	if got := DanishMonth(time.March); got != "marts" {
		t.Errorf("DanishMonth(March) = %q", got)
	}
}
