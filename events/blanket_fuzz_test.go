package events

import (
	"encoding/json"
	"sort"
	"testing"

	"nemrefusion.dk/events/ids"
)

// typedRoundTrip decodes data into the blanket's Go type and encodes it
// again, as a producer that builds blankets from the Go types does.
func typedRoundTrip[T any](data []byte) ([]byte, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// blanketTypes maps each blanket whose Go type this test knows to its round
// trip. Blankets added later without an entry are still fuzzed, without the
// round trip through their Go type.
var blanketTypes = map[string]func([]byte) ([]byte, error){
	SicknessEmployerReported:       typedRoundTrip[SicknessEmployerReport],
	SicknessSelfEmployedReported:   typedRoundTrip[SicknessSelfEmployedReport],
	SicknessAKasseReported:         typedRoundTrip[SicknessAKasseReport],
	SicknessEarlyFollowUpRequested: typedRoundTrip[SicknessEarlyFollowUpRequest],
	SicknessPeriodReported:         typedRoundTrip[SicknessPeriodReport],
	SicknessRecoveryReported:       typedRoundTrip[SicknessRecoveryReport],
	SicknessCorrectionSubmitted:    typedRoundTrip[SicknessCorrection],
	SicknessCancellationSubmitted:  typedRoundTrip[SicknessCancellation],

	ParentalEmployerReported:     typedRoundTrip[ParentalEmployerReport],
	ParentalSelfEmployedReported: typedRoundTrip[ParentalSelfEmployedReport],
	ParentalAKasseReported:       typedRoundTrip[ParentalAKasseReport],

	SubsidyWageRequested:             typedRoundTrip[SubsidyWageRequest],
	SubsidyFlexjobRequested:          typedRoundTrip[SubsidyFlexjobRequest],
	SubsidyJobClarificationRequested: typedRoundTrip[SubsidyJobClarificationRequest],
	SubsidyAdultApprenticeRequested:  typedRoundTrip[SubsidyAdultApprenticeRequest],
	SubsidyMentorRequested:           typedRoundTrip[SubsidyMentorRequest],
	SubsidySelfEmployed136Requested:  typedRoundTrip[SubsidySelfEmployed136Request],
}

// FuzzCheckDomain checks every blanket's payload decoding and domain checks
// (every type in the domain-check table: sickness, parental leave, the
// subsidies and whatever joins it later): never a panic; on any data only nil or
// field errors with both texts; and a blanket that passes its schema and
// its domain checks names a CVR intake can authorise, and still passes both
// after a round trip through its Go type.
func FuzzCheckDomain(f *testing.F) {
	var types []string
	for typ := range domainChecks {
		types = append(types, typ)
	}
	sort.Strings(types)
	addExamples(f, func(typ string) bool { _, ok := domainChecks[typ]; return ok })
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
		again := reencode(t, data)
		if rt, ok := blanketTypes[typ]; ok {
			b, err := rt(data)
			if err != nil {
				t.Fatalf("%s: valid blanket does not decode into its Go type: %v", typ, err)
			}
			again = b
		}
		if err := ValidateJSON(typ, again); err != nil {
			t.Fatalf("%s: valid blanket invalid after a round trip: %v\n%s\n%s", typ, err, data, again)
		}
		if err := CheckDomain(typ, again); err != nil {
			t.Fatalf("%s: domain checks differ after a round trip: %v\n%s\n%s", typ, err, data, again)
		}
	})
}
