package subsidy

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/subsidy/grants"
)

// The contract's fraction amount is the rules' JSON as it is (LAB § 133
// and § 136): the same field names, two-decimal kroner, and the cap and
// amount absent when the year's cap is unknown. The preview answers with
// the rules' JSON, and stored deliveries carry it, so the conversion must
// not change a byte of it.
func TestFractionJSONIsTheRulesJSON(t *testing.T) {
	t.Parallel()
	none, err := grants.DefaultCaps()
	if err != nil {
		t.Fatal(err)
	}
	capped, err := none.With(grants.YearCap{Scheme: grants.SchemeSelfEmployed136, Year: 2025, Amount: kernel.Kr(20000, 0), Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for name, caps := range map[string]grants.Caps{"cap unknown": none, "capped": capped} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, _, err := grants.Fraction(grants.SchemeSelfEmployed136, "2/3", kernel.Kr(28000, 1), 0, 2025, kernel.Kr(14000, 0), caps)
			var noCap grants.ErrNoCap
			if err != nil && !errors.As(err, &noCap) {
				t.Fatal(err)
			}
			want, _ := json.Marshal(res)
			got, _ := json.Marshal(subsidyFraction(res))
			if !bytes.Equal(got, want) {
				t.Errorf("\n got %s\nwant %s", got, want)
			}
		})
	}
}
