package kernel

import "testing"

func TestLoadRatesRefusesOverridingAPublishedYearAndBadSpecs(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"2024=5000", "2025", "2025=abc", "x=4845"} {
		if _, err := LoadRates(spec); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

func TestLoadRatesAddsAProvisionalYear(t *testing.T) {
	t.Parallel()
	tab, err := LoadRates(" 2099=4845 ")
	if err != nil {
		t.Fatal(err)
	}
	r, err := tab.Rate(2099)
	if err != nil || !r.Provisional || r.Weekly != Kr(4845, 0) || r.Hourly != HourlyFromWeekly(Kr(4845, 0)) {
		t.Errorf("Rate(2099) = %+v, %v; want provisional 4845 kr a week", r, err)
	}
}
