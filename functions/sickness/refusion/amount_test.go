package refusion

import (
	"errors"
	"testing"
)

func TestSDL47_HourlyRateIsEarningsAfterAMBidragCappedAtMaximum(t *testing.T) {
	t.Parallel()
	max2024 := Kr(126, 89)
	tests := []struct {
		name     string
		earnings Money
		want     Money
	}{
		{"200 kr is capped at the 2024 maximum", Kr(200, 0), Kr(126, 89)},
		{"130 kr × 0.92 = 119.60", Kr(130, 0), Kr(119, 60)},
		{"137.51 kr × 0.92 = 126.5092, rounds up to 126.51", Kr(137, 51), Kr(126, 51)},
		{"100.10 kr × 0.92 = 92.092, rounds down to 92.09", Kr(100, 10), Kr(92, 9)},
		{"137.93 kr × 0.92 = 126.8956, rounds to 126.90, capped at 126.89", Kr(137, 93), Kr(126, 89)},
		{"137.92 kr × 0.92 = 126.8864, rounds to 126.89, equal to the maximum", Kr(137, 92), Kr(126, 89)},
	}
	for _, tt := range tests {
		got, r := HourlyRate(tt.earnings, max2024)
		if got != tt.want {
			t.Errorf("%s: got %s", tt.name, got)
		}
		wantReason(t, []Reason{r}, "sdl-47-hourly-rate")
	}
}

func TestSDL47_WeeklyAmountIsHourlyRateTimesWeeklyHours(t *testing.T) {
	t.Parallel()
	tests := []struct {
		hourly Money
		hours  float64
		want   Money
	}{
		{Kr(126, 89), 37, Kr(4694, 93)},
		{Kr(119, 60), 37, Kr(4425, 20)},
		{Kr(126, 89), 37.5, Kr(4758, 38)}, // 4758.375 rounds half up
		{Kr(100, 0), 0.01, Kr(1, 0)},
	}
	for _, tt := range tests {
		got, r := WeeklyAmount(tt.hourly, tt.hours)
		if got != tt.want {
			t.Errorf("%s × %v = %s, want %s", tt.hourly, tt.hours, got, tt.want)
		}
		wantReason(t, []Reason{r}, "sdl-47-weekly-amount")
	}
}

func TestSDL50_MaxHourlyRateNamesTheYearAndProvisional(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	rate, r, err := MaxHourlyRate(tab, 2023)
	if err != nil || rate.Hourly != Kr(122, 97) {
		t.Fatalf("2023 = %+v, %v", rate, err)
	}
	wantReason(t, []Reason{r}, "sdl-50-max-rate")
	_, _, err = MaxHourlyRate(tab, 2025)
	var nr ErrNoRate
	if !errors.As(err, &nr) || nr.Year != 2025 {
		t.Fatalf("2025: %v, want ErrNoRate{2025}", err)
	}
	prov, err := tab.WithProvisional(2025, Kr(4810, 0))
	if err != nil {
		t.Fatal(err)
	}
	rate, r, err = MaxHourlyRate(prov, 2025)
	if err != nil || !rate.Provisional {
		t.Fatalf("provisional 2025 = %+v, %v", rate, err)
	}
	wantReason(t, []Reason{r}, "sdl-50-max-rate-provisional")
}
