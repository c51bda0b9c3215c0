package refusion

import (
	"errors"
	"nemrefusion.dk/functions/kernel"
	"testing"
	"time"
)

func TestSDL47_HourlyRateIsEarningsAfterAMBidragCappedAtMaximum(t *testing.T) {
	t.Parallel()
	max2024 := kernel.Kr(126, 89)
	tests := []struct {
		name     string
		earnings kernel.Money
		want     kernel.Money
	}{
		{"200 kr is capped at the 2024 maximum", kernel.Kr(200, 0), kernel.Kr(126, 89)},
		{"130 kr × 0.92 = 119.60", kernel.Kr(130, 0), kernel.Kr(119, 60)},
		{"137.51 kr × 0.92 = 126.5092, rounds up to 126.51", kernel.Kr(137, 51), kernel.Kr(126, 51)},
		{"100.10 kr × 0.92 = 92.092, rounds down to 92.09", kernel.Kr(100, 10), kernel.Kr(92, 9)},
		{"137.93 kr × 0.92 = 126.8956, rounds to 126.90, capped at 126.89", kernel.Kr(137, 93), kernel.Kr(126, 89)},
		{"137.92 kr × 0.92 = 126.8864, rounds to 126.89, equal to the maximum", kernel.Kr(137, 92), kernel.Kr(126, 89)},
	}
	for _, tt := range tests {
		got, r := HourlyRate(tt.earnings, max2024)
		if got != tt.want {
			t.Errorf("%s: got %s", tt.name, got)
		}
		wantReason(t, []kernel.Reason{r}, "sdl-47-hourly-rate")
	}
}

func TestSDL47_WeeklyAmountIsHourlyRateTimesWeeklyHours(t *testing.T) {
	t.Parallel()
	tests := []struct {
		hourly kernel.Money
		hours  float64
		want   kernel.Money
	}{
		{kernel.Kr(126, 89), 37, kernel.Kr(4694, 93)},
		{kernel.Kr(119, 60), 37, kernel.Kr(4425, 20)},
		{kernel.Kr(126, 89), 37.5, kernel.Kr(4758, 38)}, // 4758.375 rounds half up
		{kernel.Kr(100, 0), 0.01, kernel.Kr(1, 0)},
	}
	for _, tt := range tests {
		got, r := WeeklyAmount(tt.hourly, tt.hours)
		if got != tt.want {
			t.Errorf("%s × %v = %s, want %s", tt.hourly, tt.hours, got, tt.want)
		}
		wantReason(t, []kernel.Reason{r}, "sdl-47-weekly-amount")
	}
}

func TestSDL50_MaxHourlyRateNamesTheYearAndProvisional(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	rate, r, err := MaxHourlyRate(tab, date(2, time.January, 2023))
	if err != nil || rate.Hourly != kernel.Kr(122, 97) {
		t.Fatalf("2023 = %+v, %v", rate, err)
	}
	wantReason(t, []kernel.Reason{r}, "sdl-50-max-rate")
	_, _, err = MaxHourlyRate(tab, date(6, time.January, 2025))
	var nr kernel.ErrNoRate
	if !errors.As(err, &nr) || nr.Year != 2025 {
		t.Fatalf("2025: %v, want ErrNoRate{2025}", err)
	}
	prov, err := tab.WithProvisional(2025, kernel.Kr(4810, 0))
	if err != nil {
		t.Fatal(err)
	}
	rate, r, err = MaxHourlyRate(prov, date(6, time.January, 2025))
	if err != nil || !rate.Provisional {
		t.Fatalf("provisional 2025 = %+v, %v", rate, err)
	}
	wantReason(t, []kernel.Reason{r}, "sdl-50-max-rate-provisional")
}

func TestSDL50_1_MaxHourlyRateOfTheFirstDaysOfJanuaryIsLastYears(t *testing.T) {
	t.Parallel()
	// sygedagpengeloven § 50, stk. 1: 1–6 January 2019 still use 2018's
	// 4,300 kr (116.22 kr/hour); from Monday 7 January 2019 4,355 kr (117.70).
	tab := defaultTable(t)
	for _, c := range []struct {
		day  int
		want kernel.Money
	}{{1, kernel.Kr(116, 22)}, {6, kernel.Kr(116, 22)}, {7, kernel.Kr(117, 70)}, {31, kernel.Kr(117, 70)}} {
		rate, r, err := MaxHourlyRate(tab, date(c.day, time.January, 2019))
		if err != nil || rate.Hourly != c.want {
			t.Errorf("%d January 2019: %+v %v, want %s", c.day, rate, err, c.want)
		}
		if r.Law != "sygedagpengeloven § 50, stk. 1" {
			t.Errorf("reason law %q", r.Law)
		}
	}
	// 5 January 2025 is before 2025's first Monday: 2024's rate.
	if rate, _, err := MaxHourlyRate(tab, date(5, time.January, 2025)); err != nil || rate.Year != 2024 {
		t.Errorf("5 January 2025: %+v %v, want 2024's rate", rate, err)
	}
}
