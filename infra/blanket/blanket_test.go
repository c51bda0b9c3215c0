package blanket

import (
	"context"
	"errors"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
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

func principal(t *testing.T, c auth.Claims) auth.Principal {
	t.Helper()
	c.Subject = "s"
	p, err := c.Principal()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIntakeHooks(t *testing.T) {
	t.Parallel()
	employer := principal(t, auth.Claims{Role: auth.RoleEmployer, CVR: "30000005", Rights: []string{auth.RightNemRefusion}})
	citizen := principal(t, auth.Claims{Role: auth.RoleCitizen, CPR: "1203854321"})
	allow := Allow(events.SicknessEmployerReported)
	if !allow(employer, "") || !allow(employer, employer.Tenant()) {
		t.Error("an employer may not report in a new or its own stream")
	}
	if allow(employer, "cvr:31000009") || allow(citizen, "") {
		t.Error("another tenant's stream, or a citizen, was allowed")
	}
	good := []byte(`{"cpr":"1203854321","cvr":"30000005","pNumber":"1000000001","firstAbsenceDay":"2026-03-02","weeklyHours":37,
		"wagesPaid":true,"hourlyEarnings":200,"employedSince":"2020-01-01","pregnancyRelated":false,"flexjob":false,
		"retention":{"partialResumptionPossible":false,"expectsReturn":true,"retentionPlanWanted":false},"contact":{"name":"L"}}`)
	if err := CheckSubmission(employer, events.SicknessEmployerReported, good); err != nil {
		t.Fatalf("good report: %v", err)
	}
	other := []byte(`{"absenceId":"0190f0a2-7c1e-7d3a-9c55-5d6f2f6f8a10","cvr":"31000009","lastAbsenceDay":"2026-03-20"}`)
	if err := CheckSubmission(employer, events.SicknessRecoveryReported, other); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("another CVR's recovery: %v", err)
	}
	bad := []byte(`{"absenceId":"0190f0a2-7c1e-7d3a-9c55-5d6f2f6f8a10","cvr":"30000006","lastAbsenceDay":"2026-02-30"}`)
	var fe events.FieldErrors
	if err := CheckSubmission(employer, events.SicknessRecoveryReported, bad); !errors.As(err, &fe) || len(fe) != 2 {
		t.Errorf("bad recovery: %v, want the CVR checksum and the date at once", err)
	}
	if err := CheckSubmission(citizen, events.ProbeRequested, []byte(`{}`)); err != nil {
		t.Errorf("not a blanket: %v", err)
	}
}
