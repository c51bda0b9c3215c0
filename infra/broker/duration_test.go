package broker

import (
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"PT0.2S", 200 * time.Millisecond, false},
		{"PT1S", time.Second, false},
		{"PT1M30S", 90 * time.Second, false},
		{"PT2H", 2 * time.Hour, false},
		{"P1DT1H", 25 * time.Hour, false},
		{"P1W", 7 * 24 * time.Hour, false},
		{"PT0,5S", 500 * time.Millisecond, false},
		{"PT0.001S", time.Millisecond, false},
		{"P", 0, true},
		{"PT", 0, true},
		{"P1DT", 0, true},
		{"P1Y", 0, true},
		{"P1M", 0, true},
		{"-PT1S", 0, true},
		{"1s", 0, true},
		{"", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseISODuration(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseISODuration(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	lin := delivery{delay: 100 * time.Millisecond}
	exp := delivery{delay: 100 * time.Millisecond, exponential: true}
	tests := []struct {
		name string
		d    delivery
		n    uint64
		want time.Duration
	}{
		{"linear first retry", lin, 1, 100 * time.Millisecond},
		{"linear third retry", lin, 3, 300 * time.Millisecond},
		{"exponential first retry", exp, 1, 200 * time.Millisecond},
		{"exponential third retry", exp, 3, 800 * time.Millisecond},
		{"exponential capped", exp, 40, time.Hour},
		{"linear capped", lin, 1 << 40, time.Hour},
	}
	for _, tc := range tests {
		if got := tc.d.backoff(tc.n); got != tc.want {
			t.Errorf("%s: backoff(%d) = %v, want %v", tc.name, tc.n, got, tc.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{
		0: true, 200: false, 400: false, 401: false, 403: false, 404: true, 408: true, 409: true,
		410: false, 413: false, 422: false, 429: true, 500: true, 502: true, 503: true, 504: true,
	} {
		if got := (result{status: status}).retryable(); got != want {
			t.Errorf("status %d retryable %v, want %v", status, got, want)
		}
	}
}
