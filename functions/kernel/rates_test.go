package kernel

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSDL50_PublishedRatesAgreeWithWeeklyDividedBy37(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	want := map[int][2]Money{
		2013: {Kr(4005, 0), Kr(108, 24)},
		2015: {Kr(4135, 0), Kr(111, 76)},
		2018: {Kr(4300, 0), Kr(116, 22)},
		2019: {Kr(4355, 0), Kr(117, 70)},
		2021: {Kr(4460, 0), Kr(120, 54)},
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
		if r.EffectiveFrom != FirstMondayOfJanuary(year) {
			t.Errorf("rate %d takes effect %s, want the first Monday of January %s", year, r.EffectiveFrom, FirstMondayOfJanuary(year))
		}
	}
}

func TestSDL50_YearWithoutRateIsErrNoRate(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	for _, year := range []int{2014, 2016, 2017, 2020, 2025, 2026} {
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

func TestSDL50_1_RateTakesEffectOnTheFirstMondayOfJanuary(t *testing.T) {
	t.Parallel()
	// sygedagpengeloven § 50, stk. 1: the maximum is adjusted on the first
	// Monday of January; bm.dk names Monday 7 January 2019 and Monday 5
	// January 2015.
	for year, want := range map[int]Date{
		2013: date(7, time.January, 2013), 2015: date(5, time.January, 2015), 2018: date(1, time.January, 2018),
		2019: date(7, time.January, 2019), 2021: date(4, time.January, 2021), 2022: date(3, time.January, 2022),
		2023: date(2, time.January, 2023), 2024: date(1, time.January, 2024), 2025: date(6, time.January, 2025),
		2026: date(5, time.January, 2026),
	} {
		if got := FirstMondayOfJanuary(year); got != want || got.Weekday() != time.Monday {
			t.Errorf("first Monday of January %d = %s, want %s", year, got, want)
		}
	}
}

func TestSDL50_1_DaysBeforeTheFirstMondayUseThePreviousYearsRate(t *testing.T) {
	t.Parallel()
	// sygedagpengeloven § 50, stk. 1: 1–6 January 2019 still use 2018's
	// 4,300 kr; from Monday 7 January 2019 the 2019 rate of 4,355 kr.
	tab := defaultTable(t)
	for day := 1; day <= 10; day++ {
		d := date(day, time.January, 2019)
		r, err := tab.RateOn(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		want := Kr(4355, 0)
		if day < 7 {
			want = Kr(4300, 0)
		}
		if r.Weekly != want {
			t.Errorf("rate on %s = %s (year %d), want %s", d, r.Weekly, r.Year, want)
		}
	}
	// 1–4 January 2015 fall under 2014, which has no rate: refused, not
	// bridged with 2013's.
	var nr ErrNoRate
	if _, err := tab.RateOn(date(4, time.January, 2015)); !errors.As(err, &nr) || nr.Year != 2014 || nr.Date != date(4, time.January, 2015) {
		t.Errorf("4 January 2015: %v, want ErrNoRate{2014, 2015-01-04}", err)
	}
	if r, err := tab.RateOn(date(5, time.January, 2015)); err != nil || r.Weekly != Kr(4135, 0) {
		t.Errorf("5 January 2015: %+v %v, want 4,135", r, err)
	}
	// 2014's days after its first Monday (6 January 2014) have no rate.
	if _, err := tab.RateOn(date(6, time.January, 2014)); !errors.As(err, &nr) || nr.Year != 2014 {
		t.Errorf("6 January 2014: %v, want ErrNoRate{2014}", err)
	}
	if r, err := tab.RateOn(date(5, time.January, 2014)); err != nil || r.Year != 2013 {
		t.Errorf("5 January 2014: %+v %v, want 2013's rate", r, err)
	}
	// 2025: 1–5 January use 2024's rate; 6 January 2025 on has none.
	if r, err := tab.RateOn(date(5, time.January, 2025)); err != nil || r.Year != 2024 {
		t.Errorf("5 January 2025: %+v %v, want 2024's rate", r, err)
	}
	if _, err := tab.RateOn(date(6, time.January, 2025)); !errors.As(err, &nr) || nr.Year != 2025 {
		t.Errorf("6 January 2025: %v, want ErrNoRate{2025}", err)
	}
}

func TestSDL50_1_SegmentsSplitAPeriodAtTheEffectiveDate(t *testing.T) {
	t.Parallel()
	// sygedagpengeloven § 50, stk. 1: a period from 28 December 2018 to
	// 13 January 2019 uses 4,300 kr up to Sunday 6 January and 4,355 kr
	// from Monday 7 January.
	tab := defaultTable(t)
	segs, err := tab.Segments(date(28, time.December, 2018), date(13, time.January, 2019))
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 || segs[0].From != date(28, time.December, 2018) || segs[0].To != date(6, time.January, 2019) ||
		segs[0].Rate.Year != 2018 || segs[1].From != date(7, time.January, 2019) || segs[1].To != date(13, time.January, 2019) || segs[1].Rate.Year != 2019 {
		t.Errorf("segments = %+v", segs)
	}
	one, err := tab.Segments(date(8, time.January, 2019), date(8, time.January, 2019))
	if err != nil || len(one) != 1 || one[0].Rate.Year != 2019 {
		t.Errorf("one day: %+v %v", one, err)
	}
	var nr ErrNoRate
	if _, err := tab.Segments(date(20, time.December, 2024), date(10, time.January, 2025)); !errors.As(err, &nr) || nr.Year != 2025 || nr.Date != date(6, time.January, 2025) {
		t.Errorf("into 2025: %v, want ErrNoRate{2025, 2025-01-06}", err)
	}
}

func TestSDL50_NoRateErrorNamesYearAndDate_DanishAndEnglish(t *testing.T) {
	t.Parallel()
	e := ErrNoRate{Year: 2026, Date: date(2, time.March, 2026)}
	for _, s := range []string{e.Error(), e.En()} {
		if !strings.Contains(s, "2026") || !strings.Contains(s, "5 January 2026") && !strings.Contains(s, "2026-01-05") {
			t.Errorf("%q does not name the year and its effective date", s)
		}
	}
	if !strings.Contains(e.Da(), "2026") || !strings.Contains(e.Da(), "5. januar 2026") || !strings.Contains(e.Da(), "2. marts 2026") {
		t.Errorf("Danish %q does not name the year, the date and the effective date", e.Da())
	}
}

func TestSDL50_ProvisionalRateMayBePublishedButNotTheOtherWay(t *testing.T) {
	t.Parallel()
	tab := defaultTable(t)
	prov, err := tab.WithProvisional(2026, Kr(4945, 0))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := prov.With(Rate{Year: 2026, Weekly: Kr(4950, 0), Hourly: HourlyFromWeekly(Kr(4950, 0)), Source: "https://example.invalid/satser-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := pub.RateOn(date(5, time.January, 2026)); r.Provisional || r.Weekly != Kr(4950, 0) {
		t.Errorf("published 2026 = %+v", r)
	}
	if _, err := pub.WithProvisional(2026, Kr(5000, 0)); err == nil {
		t.Error("a provisional rate replaced a published one")
	}
	if _, err := tab.With(Rate{Year: 2026, EffectiveFrom: date(31, time.December, 2025), Weekly: Kr(4950, 0), Hourly: HourlyFromWeekly(Kr(4950, 0)), Source: "x"}); err == nil {
		t.Error("an effective date outside the rate's year was accepted")
	}
}
