package broker

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// isoSeconds writes d as an ISO-8601 duration of seconds with nine decimals.
func isoSeconds(d time.Duration) string {
	return fmt.Sprintf("PT%d.%09dS", d/time.Second, d%time.Second)
}

// near reports whether a and b differ by no more than float64 rounding of
// a decimal number of that size can explain.
func near(a, b time.Duration) bool {
	diff := a - b
	if diff < 0 {
		diff = -diff
	}
	return diff <= 1+a/(1<<40)
}

// FuzzParseISODuration checks the parser of the Triggers' delivery
// durations (backoffDelay, timeout), which come from manifests: never a
// panic, never a negative duration, a duration that parses has no year or
// month and prints back (as seconds) to about the same value.
func FuzzParseISODuration(f *testing.F) {
	for _, s := range []string{"PT0.2S", "PT1S", "PT1M30S", "P1DT2H", "P1W", "PT0,5S", "P", "PT", "P1DT", "P1Y", "P1M", "-PT1S",
		"", "1s", "P1W2DT3H4M5.5S", "PT9223372036.854775807S", "PT9223372036.854775808S", "P15250W", "P15251W", "PT2562047H47M16.854775807S",
		"PT1e3S", "PT.5S", "PT5.S", "P1.5W", "PT" + strings.Repeat("9", 400) + "S", "PT0." + strings.Repeat("0", 400) + "1S", "PT1S\n", "P1WT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODuration(s)
		if err != nil {
			if d != 0 {
				t.Fatalf("%q: error %v with duration %v", s, err, d)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q parsed to a negative duration %v", s, d)
		}
		if m := strings.IndexByte(s, 'M'); !strings.HasPrefix(s, "P") || strings.ContainsAny(s, "Y-") || m >= 0 && m < strings.IndexByte(s, 'T') {
			t.Fatalf("%q accepted", s)
		}
		back, err := ParseISODuration(isoSeconds(d))
		if err != nil || !near(d, back) {
			t.Fatalf("%q = %v prints as %s = %v (%v)", s, d, isoSeconds(d), back, err)
		}
	})
}
