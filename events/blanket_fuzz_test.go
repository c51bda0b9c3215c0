package events

import (
	"encoding/json"
	"sort"
	"testing"

	"nemrefusion.dk/events/ids"
)

// FuzzCheckDomain checks every blanket's payload decoding and domain checks
// (every registered blanket): never a panic; on any data only nil or
// field errors with both texts; and a blanket that passes its schema and
// its domain checks names a CVR intake can authorise, and still passes both
// after a round trip through its Go type.
func FuzzCheckDomain(f *testing.F) {
	var types []string
	for _, b := range Blankets() {
		types = append(types, b.Type)
	}
	sort.Strings(types)
	addExamples(f, func(typ string) bool { _, ok := BlanketOf(typ); return ok })
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		typ := pickType(types, name)
		derr := CheckDomain(typ, data)
		if derr != nil {
			checkFieldErrors(t, typ, data, derr)
		}
		if derr != nil || ValidateJSON(typ, data) != nil {
			return
		}
		if _, err := ids.ParseCVR(BlanketCVR(data)); err != nil {
			t.Fatalf("%s: valid blanket names no valid CVR: %v", typ, err)
		}
		if BlanketSenders(typ) == nil {
			t.Fatalf("%s: a blanket with domain checks has no senders", typ)
		}
		b, _ := BlanketOf(typ)
		v, err := b.Decode(data)
		if err != nil {
			t.Fatalf("%s: valid blanket does not decode into its Go type: %v", typ, err)
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if err := ValidateJSON(typ, again); err != nil {
			t.Fatalf("%s: valid blanket invalid after a round trip: %v\n%s\n%s", typ, err, data, again)
		}
		if err := CheckDomain(typ, again); err != nil {
			t.Fatalf("%s: domain checks differ after a round trip: %v\n%s\n%s", typ, err, data, again)
		}
	})
}
