// Package contribution computes the yearly contribution key (fordelingsnøgle)
// of the municipalities: each municipality's share of the municipal
// contribution is its number of inhabitants at the start of the calendar year
// relative to all municipalities (seeds/000 § 5 stk. 3). Udbetaling Danmark's
// contribution is fixed by KOMBIT each June (§ 5 stk. 2) and is not part of
// this key. Pure: no I/O.
package contribution

import (
	"errors"
	"fmt"
	"sort"
)

// PartsPerMillion is the unit of a share: shares are whole parts per
// million that add up to exactly 1,000,000.
const PartsPerMillion = 1_000_000

// Population is a municipality's number of inhabitants on 1 January.
type Population struct {
	Municipality string
	Inhabitants  int64
}

// Share is one municipality's part of the key.
type Share struct {
	Municipality string `json:"municipality"`
	Inhabitants  int64  `json:"inhabitants"`
	// PPM is the share in parts per million; all PPM add up to 1,000,000.
	PPM int64 `json:"ppm"`
	// Percent is PPM as a percentage with four decimals, for reading.
	Percent string `json:"percent"`
}

// ErrNoPopulation means there is nothing to distribute by.
var ErrNoPopulation = errors.New("contribution: no inhabitants")

// Key distributes 1,000,000 parts over the municipalities in proportion to
// their inhabitants, rounding by the largest remainder (ties to the lower
// municipality number), so the parts add up exactly. The result is sorted
// by municipality number.
func Key(pops []Population) ([]Share, error) {
	var total int64
	seen := map[string]bool{}
	for _, p := range pops {
		if p.Inhabitants < 0 {
			return nil, fmt.Errorf("contribution: municipality %s has %d inhabitants", p.Municipality, p.Inhabitants)
		}
		if seen[p.Municipality] {
			return nil, fmt.Errorf("contribution: municipality %s twice", p.Municipality)
		}
		seen[p.Municipality] = true
		total += p.Inhabitants
	}
	if total == 0 {
		return nil, ErrNoPopulation
	}
	type part struct {
		Share
		rem int64
	}
	parts := make([]part, len(pops))
	var given int64
	for i, p := range pops {
		num := p.Inhabitants * PartsPerMillion // < 2^63 for any real population
		parts[i] = part{Share: Share{Municipality: p.Municipality, Inhabitants: p.Inhabitants, PPM: num / total}, rem: num % total}
		given += parts[i].PPM
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		pa, pb := parts[order[a]], parts[order[b]]
		if pa.rem != pb.rem {
			return pa.rem > pb.rem
		}
		return pa.Municipality < pb.Municipality
	})
	for i := int64(0); i < PartsPerMillion-given; i++ {
		parts[order[i]].PPM++
	}
	out := make([]Share, len(parts))
	for i, p := range parts {
		p.Percent = fmt.Sprintf("%d.%04d", p.PPM/10_000, p.PPM%10_000)
		out[i] = p.Share
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Municipality < out[b].Municipality })
	return out, nil
}
