package records

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
)

func TestMonth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		add     int
		want    string
		wantErr bool
	}{
		{name: "parse and keep", in: "2024-05", want: "2024-05"},
		{name: "add across year end", in: "2024-11", add: 3, want: "2025-02"},
		{name: "subtract 6 across year start", in: "2024-03", add: -6, want: "2023-09"},
		{name: "subtract 12", in: "2024-01", add: -12, want: "2023-01"},
		{name: "month 13 rejected", in: "2024-13", wantErr: true},
		{name: "day included rejected", in: "2024-05-01", wantErr: true},
		{name: "single-digit month rejected", in: "2024-5", wantErr: true},
		{name: "empty rejected", in: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseMonth(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrMonthFormat) {
					t.Fatalf("ParseMonth(%q) error = %v, want ErrMonthFormat", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.AddMonths(tc.add).String(); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	a, b := NewMonth(2024, 5), NewMonth(2024, 6)
	if !a.Before(b) || b.Before(a) || a.Compare(a) != 0 || b.Compare(a) != 1 {
		t.Error("Compare/Before")
	}
	if MonthOf(time.Date(2024, 5, 31, 23, 0, 0, 0, time.UTC)) != a || a.First() != time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC) {
		t.Error("MonthOf/First")
	}
	var v struct {
		M Month `json:"m"`
	}
	if err := json.Unmarshal([]byte(`{"m":"2024-05"}`), &v); err != nil || v.M != a {
		t.Fatalf("unmarshal: %v", err)
	}
	if b, _ := json.Marshal(v); string(b) != `{"m":"2024-05"}` {
		t.Fatalf("marshal = %s", b)
	}
}

func TestResidenceAt(t *testing.T) {
	t.Parallel()
	d := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	p := Person{
		Residence: Residence{From: d(2024, 3, 1), Municipality: ids.MustMunicipality(751)},
		History: []Residence{
			{From: d(2010, 1, 1), Municipality: ids.MustMunicipality(101)},
			{From: d(2020, 6, 15), Country: "SE"},
		},
	}
	tests := []struct {
		name  string
		at    time.Time
		muni  int
		abr   bool
		known bool
	}{
		{name: "after the last move: current", at: d(2024, 5, 1), muni: 751, known: true},
		{name: "on the moving day: new residence", at: d(2024, 3, 1), muni: 751, known: true},
		{name: "late on the day before moving: old residence", at: d(2024, 2, 29).Add(23*time.Hour + 59*time.Minute), abr: true, known: true},
		{name: "00:30 Danish time on the moving day (still the day before in UTC): new residence", at: time.Date(2024, 3, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), muni: 751, known: true},
		{name: "while abroad", at: d(2022, 1, 1), abr: true, known: true},
		{name: "first known residence", at: d(2015, 1, 1), muni: 101, known: true},
		{name: "before anything known", at: d(2000, 1, 1), muni: 101, known: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, known := p.ResidenceAt(tc.at)
			if known != tc.known || r.Abroad() != tc.abr || r.Municipality.Number() != tc.muni {
				t.Fatalf("got %+v known=%v", r, known)
			}
		})
	}
}
