package blanket

import (
	"context"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
)

func decideNothing(context.Context, *Env, events.SicknessEmployerReport) (Outcome, error) {
	return Outcome{}, nil
}

func TestNewRefusesIncompleteDefinitions(t *testing.T) {
	t.Parallel()
	ds, err := synth.Generate(synth.Config{Seed: 1, Persons: synth.MinPersons, Companies: synth.MinCompanies, Reference: registers.MonthOf(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	ok := Define(events.SicknessEmployerReported, decideNothing)
	if _, err := New(ds, ok); err != nil {
		t.Fatalf("a complete definition: %v", err)
	}
	if ok.Family != events.FamilySickness || ok.Recipient != events.ToMunicipality || !ok.Feedback || !ok.Notification {
		t.Errorf("Define did not take the registry's facts: %+v", ok.Blanket)
	}
	noSchema := ok
	noSchema.Type = "dk.nemrefusion.nothing.v1"
	for name, d := range map[string]Definition{
		"not made with Define": {Blanket: ok.Blanket},
		"no schema":            noSchema,
	} {
		if _, err := New(ds, d); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(ds, ok, ok); err == nil {
		t.Error("two definitions of one type accepted")
	}
	if _, err := New(nil, ok); err == nil {
		t.Error("no registers accepted")
	}
}

// Define refuses a type outside the registry and a Decider of another
// data type: the function does not start.
func TestDefineRefusesWhatTheRegistryDoesNotSay(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func(){
		"unregistered": func() { Define("dk.nemrefusion.nothing.v1", decideNothing) },
		"wrong type":   func() { Define(events.SicknessAKasseReported, decideNothing) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Define did not panic", name)
				}
			}()
			f()
		}()
	}
}
