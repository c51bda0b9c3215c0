package sickness

import (
	"fmt"
	"strconv"
	"strings"

	"nemrefusion.dk/functions/sickness/refusion"
)

// LoadRates returns the published rates (refusion.DefaultTable) plus the
// provisional ones in spec, "2025=4845,2026=4945" (year = kroner per week).
// Provisional rates are NOT the law: they let the local stack compute
// before the official rate is configured, and every result that uses one
// says it is provisional. A published year cannot be overridden.
func LoadRates(spec string) (refusion.Table, error) {
	t, err := refusion.DefaultTable()
	if err != nil {
		return t, err
	}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		y, w, ok := strings.Cut(part, "=")
		year, yerr := strconv.Atoi(strings.TrimSpace(y))
		weekly, werr := refusion.ParseKr(strings.TrimSpace(w))
		if !ok || yerr != nil || werr != nil {
			return t, fmt.Errorf("provisional rate %q: want YEAR=KRONER_PER_WEEK", part)
		}
		if t, err = t.WithProvisional(year, weekly); err != nil {
			return t, err
		}
	}
	return t, nil
}
