package synth

import (
	"strings"
	"testing"

	"nemrefusion.dk/events/ids"
)

// Every one of the 98 municipalities has a synthetic DPO link (seeds/003:
// the municipality's data protection officer is linked on every page of
// Mit Sygefravær), under the reserved .example domain; anything else has
// none.
func TestEveryMunicipalityHasASyntheticDPOLink(t *testing.T) {
	links := DPOLinks()
	if len(links) != 98 {
		t.Fatalf("%d DPO links, want one per municipality (98)", len(links))
	}
	for no, u := range links {
		if _, err := ids.ParseMunicipality(no); err != nil {
			t.Errorf("%s: not a municipality: %v", no, err)
		}
		if !strings.HasPrefix(u, "https://") || !strings.Contains(u, ".example/") || !strings.Contains(u, no) {
			t.Errorf("%s: %q is not a synthetic https link naming the municipality", no, u)
		}
	}
	if _, ok := DPOLink(999); ok {
		t.Error("999 is no municipality and has no DPO link")
	}
}
