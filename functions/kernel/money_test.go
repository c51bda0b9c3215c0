package refusion

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
