package broker

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
)

var isoDuration = regexp.MustCompile(`^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// ParseISODuration parses an ISO-8601 duration such as PT0.2S, PT1M30S or
// P1DT2H, as used by Knative's delivery.backoffDelay and delivery.timeout.
// Weeks, days, hours, minutes and seconds may carry a fraction. Years and
// months are refused because they have no fixed length; so are empty
// durations ("P", "PT") and negative ones.
func ParseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" || s[len(s)-1] == 'T' {
		return 0, fmt.Errorf("parse ISO-8601 duration %q: want P[nW][nD][T[nH][nM][nS]]", s)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total float64
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(commaToDot(m[i+1]), 64)
		if err != nil {
			return 0, fmt.Errorf("parse ISO-8601 duration %q: %w", s, err)
		}
		total += v * float64(u)
	}
	// float64(math.MaxInt64) rounds up to 2^63, which no Duration holds:
	// converting it would wrap to a negative duration.
	if total >= math.MaxInt64 {
		return 0, fmt.Errorf("parse ISO-8601 duration %q: too long", s)
	}
	return time.Duration(total), nil
}

func commaToDot(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == ',' {
			b[i] = '.'
		}
	}
	return string(b)
}
