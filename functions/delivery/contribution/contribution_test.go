package contribution

import (
	"errors"
	"testing"
)

func TestKeyAddsUpAndFollowsPopulation(t *testing.T) {
	tests := []struct {
		name string
		pops []Population
		want map[string]int64
	}{
		{"equal", []Population{{"101", 1}, {"147", 1}}, map[string]int64{"101": 500_000, "147": 500_000}},
		{"thirds: largest remainder, ties to the lower number", []Population{{"101", 1}, {"147", 1}, {"151", 1}},
			map[string]int64{"101": 333_334, "147": 333_333, "151": 333_333}},
		{"proportional", []Population{{"101", 660_000}, {"825", 2_000}, {"147", 104_000}},
			map[string]int64{"101": 861_619, "147": 135_770, "825": 2_611}},
		{"a municipality without inhabitants pays nothing", []Population{{"101", 5}, {"825", 0}},
			map[string]int64{"101": 1_000_000, "825": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Key(tc.pops)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, s := range got {
				sum += s.PPM
				if s.PPM != tc.want[s.Municipality] {
					t.Errorf("%s: %d ppm, want %d", s.Municipality, s.PPM, tc.want[s.Municipality])
				}
			}
			if sum != PartsPerMillion {
				t.Errorf("shares add up to %d", sum)
			}
			for i := 1; i < len(got); i++ {
				if got[i-1].Municipality > got[i].Municipality {
					t.Errorf("not sorted: %v", got)
				}
			}
		})
	}
}

func TestKeyRefusesNonsense(t *testing.T) {
	if _, err := Key(nil); !errors.Is(err, ErrNoPopulation) {
		t.Errorf("empty: %v", err)
	}
	if _, err := Key([]Population{{"101", -1}}); err == nil {
		t.Error("negative accepted")
	}
	if _, err := Key([]Population{{"101", 1}, {"101", 2}}); err == nil {
		t.Error("duplicate accepted")
	}
}

func TestPercent(t *testing.T) {
	got, _ := Key([]Population{{"101", 1}, {"147", 2}})
	if got[0].Percent != "33.3333" || got[1].Percent != "66.6667" {
		t.Fatalf("%+v", got)
	}
}
