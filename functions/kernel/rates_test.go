package kernel

import (
	"errors"
	"testing"
)

func TestSDL50_PublishedRatesAgreeWithWeeklyDividedBy37(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	want := map[int][2]Money{
		2019: {Kr(4355, 0), Kr(117, 70)},
		2022: {Kr(4465, 0), Kr(120, 68)},
		2023: {Kr(4550, 0), Kr(122, 97)},
		2024: {Kr(4695, 0), Kr(126, 89)},
	}
	if got := len(tab.Rates()); got != len(want) {
		t.Errorf("table has %d rates, want %d", got, len(want))
	}
	for year, w := range want {
		r, err := tab.Rate(year)
		if err != nil {
			t.Fatalf("rate %d: %v", year, err)
		}
		if r.Weekly != w[0] || r.Hourly != w[1] {
			t.Errorf("rate %d = %s/%s, want %s/%s", year, r.Weekly, r.Hourly, w[0], w[1])
		}
		if HourlyFromWeekly(r.Weekly) != r.Hourly {
			t.Errorf("rate %d: published hourly %s is not weekly/37 %s", year, r.Hourly, HourlyFromWeekly(r.Weekly))
		}
		if r.Source == "" || r.Provisional {
			t.Errorf("rate %d: want a published rate with a source, got %+v", year, r)
		}
	}
}

func TestSDL50_YearWithoutRateIsErrNoRate(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	for _, year := range []int{2020, 2021, 2025, 2026} {
		_, err := tab.Rate(year)
		var nr ErrNoRate
		if !errors.As(err, &nr) || nr.Year != year {
			t.Errorf("rate %d: error %v, want ErrNoRate{%d}", year, err, year)
		}
	}
	if got := (ErrNoRate{Year: 2025}).Error(); got != "no maximum sygedagpenge rate is configured for 2025" {
		t.Errorf("message = %q", got)
	}
}

func TestSDL50_ProvisionalRateIsFlaggedAndCannotReplaceAPublishedOne(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	prov, err := tab.WithProvisional(2025, Kr(4810, 0))
	if err != nil {
		t.Fatal(err)
	}
	r, err := prov.Rate(2025)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Provisional || r.Weekly != Kr(4810, 0) || r.Hourly != Kr(130, 0) {
		t.Errorf("provisional 2025 = %+v, want 4810.00/130.00 provisional", r)
	}
	if _, err := tab.Rate(2025); err == nil {
		t.Error("WithProvisional changed the original table")
	}
	if _, err := tab.WithProvisional(2024, Kr(5000, 0)); err == nil {
		t.Error("a provisional rate replaced the published 2024 rate")
	}
	if _, err := tab.WithProvisional(2026, 0); err == nil {
		t.Error("a zero provisional rate was accepted")
	}
	again, err := prov.WithProvisional(2025, Kr(4820, 0))
	if err != nil {
		t.Fatalf("replace provisional: %v", err)
	}
	if r, _ := again.Rate(2025); r.Weekly != Kr(4820, 0) {
		t.Errorf("replaced provisional = %+v", r)
	}
}

func TestParseTableRejectsInconsistentData(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"hourly not weekly/37": `[{"year":2024,"weekly":4695,"hourly":126.90,"source":"x","provisional":false}]`,
		"duplicate year":       `[{"year":2024,"weekly":4695,"hourly":126.89,"source":"x"},{"year":2024,"weekly":4695,"hourly":126.89,"source":"x"}]`,
		"no source":            `[{"year":2024,"weekly":4695,"hourly":126.89,"source":""}]`,
		"unknown field":        `[{"year":2024,"weekly":4695,"hourly":126.89,"source":"x","daily":1}]`,
		"float money":          `[{"year":2024,"weekly":4695.001,"hourly":126.89,"source":"x"}]`,
		"non-positive":         `[{"year":2024,"weekly":0,"hourly":0,"source":"x"}]`,
	}
	for name, data := range bad {
		if _, err := ParseTable([]byte(data)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
