package synth

import (
	"fmt"
	"sort"
)

// DPOLink is the synthetic data protection officer link of municipality
// code (seeds/003, "Orientering om behandling af persondata": every page of
// Mit Sygefravær links to the person's municipality's DPO). Like the rest
// of the dataset it is not real: the address is under the reserved
// ".example" domain (RFC 2606), so a demo never sends anybody to a real
// municipality's site. ok is false for a code that is not one of the 98
// municipalities.
func DPOLink(code int) (url string, ok bool) {
	if _, ok := placeByCode[code]; !ok {
		return "", false
	}
	return fmt.Sprintf("https://databeskyttelse.kommune-%03d.example/dpo", code), true
}

// DPOLinks is DPOLink of every municipality, by municipality number
// ("101"), for seeding the administrators' DPO setting in development.
func DPOLinks() map[string]string {
	out := make(map[string]string, len(places))
	codes := make([]int, 0, len(places))
	for _, p := range places {
		codes = append(codes, p.code)
	}
	sort.Ints(codes)
	for _, c := range codes {
		out[fmt.Sprintf("%03d", c)], _ = DPOLink(c)
	}
	return out
}
