package events

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The rate.registered example is a RateRegistration, and a value of the Go
// type is valid against the schema.
func TestRateRegistrationMatchesItsSchema(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(exampleOf(t, RateRegistered)))
	dec.DisallowUnknownFields()
	var r RateRegistration
	if err := dec.Decode(&r); err != nil || r.Year != 2026 || r.Weekly != 494500 || r.Hourly != 13365 || r.Status != RateStatusProvisional {
		t.Fatalf("example %+v: %v", r, err)
	}
	r.Status, r.Version = RateStatusPublished, 2
	b, _ := json.Marshal(r)
	if err := ValidateJSON(RateRegistered, b); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	r.Status = "guessed"
	b, _ = json.Marshal(r)
	if err := ValidateJSON(RateRegistered, b); err == nil {
		t.Fatal("a status other than published/provisional was accepted")
	}
}
