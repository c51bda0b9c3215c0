package kernel

import (
	"fmt"
	"strconv"
	"strings"
)

// LoadRates returns the published rates (DefaultTable) plus the
// provisional ones in spec, "2025=4845,2026=4945" (year = kroner per week),
// as the sickness and maternity functions read it from their configuration
// (PROVISIONAL_RATES).
// Provisional rates are NOT the law: they let the local stack compute
// before the official rate is configured, and every result that uses one
// says it is provisional. A published year cannot be overridden.
func LoadRates(spec string) (Table, error) {
	t, err := DefaultTable()
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
		weekly, werr := ParseKr(strings.TrimSpace(w))
		if !ok || yerr != nil || werr != nil {
			return t, fmt.Errorf("provisional rate %q: want YEAR=KRONER_PER_WEEK", part)
		}
		if t, err = t.WithProvisional(year, weekly); err != nil {
			return t, err
		}
	}
	return t, nil
}
