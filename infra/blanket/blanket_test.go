package blanket

import (
	"context"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/rules"
	"nemrefusion.dk/infra/registers/synth"
)

func decideNothing(context.Context, *Env, []byte) (Outcome, error) { return Outcome{}, nil }

func TestNewRefusesIncompleteDefinitions(t *testing.T) {
	t.Parallel()
	ds, err := synth.Generate(synth.Config{Seed: 1, Persons: synth.MinPersons, Companies: synth.MinCompanies, Reference: registers.MonthOf(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	ok := Definition{Type: events.SicknessEmployerReported, Family: "sickness", Senders: events.BlanketSenders(events.SicknessEmployerReported),
		Recipient: rules.ToMunicipality, Decide: decideNothing}
	if _, err := New(ds, ok); err != nil {
		t.Fatalf("a complete definition: %v", err)
	}
	for name, d := range map[string]Definition{
		"no family":    {Type: ok.Type, Senders: ok.Senders, Recipient: ok.Recipient, Decide: decideNothing},
		"no senders":   {Type: ok.Type, Family: "x", Recipient: ok.Recipient, Decide: decideNothing},
		"no recipient": {Type: ok.Type, Family: "x", Senders: ok.Senders, Decide: decideNothing},
		"no decide":    {Type: ok.Type, Family: "x", Senders: ok.Senders, Recipient: ok.Recipient},
		"no schema":    {Type: "dk.nemrefusion.nothing.v1", Family: "x", Senders: ok.Senders, Recipient: ok.Recipient, Decide: decideNothing},
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
