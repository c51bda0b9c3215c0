package kernel

import (
	"encoding/json"
	"testing"
)

func TestParseKrIsExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Money
		wantErr bool
	}{
		{"126.89", 12689, false},
		{"4695", 469500, false},
		{"4695.00", 469500, false},
		{"0.1", 10, false},
		{"-3.5", -350, false},
		{"200.000", 20000, false},
		{"0.005", 0, true},
		{"1e3", 0, true},
		{"", 0, true},
		{"abc", 0, true},
		{"1.2.3", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseKr(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseKr(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMoneyJSONIsKronerWithTwoDecimals(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(map[string]Money{"a": 12689, "b": 469493, "c": 5, "d": -1250})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"a":126.89,"b":4694.93,"c":0.05,"d":-12.50}`; got != want {
		t.Errorf("marshal = %s, want %s", got, want)
	}
	var m struct {
		E Money `json:"e"`
	}
	if err := json.Unmarshal([]byte(`{"e":201.5}`), &m); err != nil || m.E != 20150 {
		t.Errorf("unmarshal = %d, %v", m.E, err)
	}
	if err := json.Unmarshal([]byte(`{"e":201.555}`), &m); err == nil {
		t.Error("unmarshal of a fraction of an øre: want an error")
	}
}

func TestMoneyFormats(t *testing.T) {
	t.Parallel()
	if got := Kr(4695, 0).Danish(); got != "4.695,00 kr." {
		t.Errorf("Danish = %q", got)
	}
	if got := Kr(1234567, 8).English(); got != "DKK 1,234,567.08" {
		t.Errorf("English = %q", got)
	}
	if got := Money(-5).String(); got != "-0.05" {
		t.Errorf("String = %q", got)
	}
}

func TestRoundHalfUp(t *testing.T) {
	t.Parallel()
	tests := []struct{ n, d, want int64 }{
		{5, 10, 1}, {4, 10, 0}, {15, 10, 2}, {-5, 10, -1}, {469500, 37, 12689},
	}
	for _, tt := range tests {
		if got := divRoundHalfUp(tt.n, tt.d); got != tt.want {
			t.Errorf("%d/%d = %d, want %d", tt.n, tt.d, got, tt.want)
		}
	}
}

func TestMulDivRoundsHalfUpToWholeOre(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m        Money
		num, den int64
		want     Money
	}{
		{Kr(100, 0), 2, 3, Kr(66, 67)}, // ⅔ of 100 kr (LAB § 133)
		{Kr(100, 1), 1, 2, Kr(50, 1)},  // 50.005 rounds up
		{Kr(4695, 0), 1, 37, Kr(126, 89)},
		{Money(-5), 1, 10, Money(-1)},
	}
	for _, tt := range tests {
		if got := tt.m.MulDiv(tt.num, tt.den); got != tt.want {
			t.Errorf("%s × %d/%d = %s, want %s", tt.m, tt.num, tt.den, got, tt.want)
		}
	}
}

func TestKronerIsExactForTwoDecimals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want Money
	}{
		{126.89, 12689}, {0.1 + 0.2, 30}, {4695, 469500}, {-12.5, -1250},
	}
	for _, tt := range tests {
		if got := Kroner(tt.in); got != tt.want {
			t.Errorf("Kroner(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestTimesHoursTakesHoursToHundredths(t *testing.T) {
	t.Parallel()
	if got := Kr(126, 89).TimesHours(37); got != Kr(4694, 93) {
		t.Errorf("126.89 × 37 = %s, want 4694.93", got)
	}
	if got := Kr(100, 0).TimesHours(7.405); got != Kr(741, 0) {
		t.Errorf("100 × 7.405 h (7.41 h) = %s, want 741.00", got)
	}
	if got := RoundHours(37 * 3.0 / 7); got != 15.86 {
		t.Errorf("RoundHours(15.857…) = %v, want 15.86", got)
	}
}

// TestSDL47_AMContributionIsEightPercent follows sygedagpengeloven § 47 and
// barselsloven § 39: the hourly earnings count after the 8 % AM-bidrag,
// rounded half up to whole øre.
func TestSDL47_AMContributionIsEightPercent(t *testing.T) {
	t.Parallel()
	if got := AfterAMContribution(Kr(200, 0)); got != Kr(184, 0) {
		t.Errorf("200 kr after AM-bidrag = %s, want 184.00", got)
	}
	if got := AfterAMContribution(Kr(0, 7)); got != Kr(0, 6) {
		t.Errorf("0.07 kr after AM-bidrag = %s, want 0.06 (6.44 øre)", got)
	}
}
