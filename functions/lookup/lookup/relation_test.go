package lookup_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// unknownCPR returns a valid CPR number the dataset does not hold.
func unknownCPR(t *testing.T) ids.CPR {
	t.Helper()
	for i := 0; i < 10000; i++ {
		c := ids.MustCPR(fmt.Sprintf("0101%02d%04d", 50+i%40, i))
		if _, err := dataset(t).Person(context.Background(), c); err != nil {
			return c
		}
	}
	t.Fatal("no unknown CPR number")
	return ids.CPR{}
}

// nonMember returns a persona the a-kasse akasse has no relation to: no
// member of it and not employed by it.
func nonMember(t *testing.T, akasse ids.CVR) ids.CPR {
	t.Helper()
	for _, p := range synth.Personas() {
		if p.CPR.IsZero() || p.CVR == akasse {
			continue
		}
		if m, ok := dataset(t).MembershipOf(p.CPR); !ok || m.AKasse != akasse {
			return p.CPR
		}
	}
	t.Fatal("every persona is a member of the a-kasse")
	return ids.CPR{}
}

func personPath(cpr ids.CPR) string {
	return "/api/v1/lookup/persons/" + cpr.String() + "?purpose=confirm+the+CPR+number"
}

func incomePath(cpr ids.CPR) string {
	return fmt.Sprintf("/api/v1/lookup/persons/%s/income?purpose=case&from=%s&to=%s", cpr, ref.AddMonths(-6), ref.AddMonths(-1))
}

// Finding (issue 16): "any sender reads any CPR's name and address". A
// sender gets a person only when it employs them (eIndkomst) or, for an
// a-kasse, when they are its member, and then only the name; anyone else
// gets the answer of a number that does not exist.
func TestSenderReadsOnlyTheNameOfItsOwnEmployeesAndMembers(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	f.lookup.UniformDelay = 20 * time.Millisecond
	emp, seasonal, member := persona(synth.PersonaEmployee), persona(synth.PersonaFailsMonthlyHours), persona(synth.PersonaUnemployedMember)
	nameOnly := func(t *testing.T, persona string, cpr ids.CPR) {
		t.Helper()
		code, _, b := f.get(t, persona, personPath(cpr))
		if code != 200 || len(b) != 2 || b["cpr"] != cpr.String() || b["name"] == nil || b["address"] != nil {
			t.Fatalf("%s reads its own: %d %v, want 200 with the name only", persona, code, b)
		}
	}
	notYours := func(t *testing.T, persona string, cpr ids.CPR) {
		t.Helper()
		code, _, b := f.get(t, persona, personPath(cpr))
		if code != 404 || b["code"] != "lookup.not-found" || b["address"] != nil || b["name"] != nil {
			t.Fatalf("%s reads a person it has no relation to: %d %v, want the 404 of a missing number", persona, code, b)
		}
	}
	nameOnly(t, devissuer.PersonaEmployer, emp.CPR)
	nameOnly(t, devissuer.PersonaPayrollSystem, emp.CPR)
	nameOnly(t, devissuer.PersonaEmployerSeasonal, seasonal.CPR)
	nameOnly(t, devissuer.PersonaAKasse, member.CPR)
	notYours(t, devissuer.PersonaEmployer, seasonal.CPR)
	notYours(t, devissuer.PersonaEmployerSeasonal, emp.CPR)
	notYours(t, devissuer.PersonaPayrollSeasonal, emp.CPR)
	notYours(t, devissuer.PersonaAKasse, nonMember(t, member.CVR))
	notYours(t, devissuer.PersonaSelfEmployed, emp.CPR)
	// Senders never read income, whoever the person is.
	for _, who := range []string{devissuer.PersonaEmployer, devissuer.PersonaAKasse, devissuer.PersonaPayrollSystem} {
		if code, _, b := f.get(t, who, incomePath(emp.CPR)); code != 403 {
			t.Fatalf("%s reads income: %d %v", who, code, b)
		}
	}
}

// Finding (issue 16): "any caseworker [reads] anyone's income". A
// municipality's caseworkers and case system read the persons resident in
// it (now or in the last 13 months); UDK, the case handler for parental
// leave, reads anyone; everyone else gets the answer of a missing number.
func TestCaseworkerReadsOnlyOwnMunicipalitysResidents(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	f.lookup.UniformDelay = 20 * time.Millisecond
	kbh, aarhus, moved := persona(synth.PersonaEmployee), persona(synth.PersonaNemSMS), persona(synth.PersonaMoved)
	tests := []struct {
		persona string
		cpr     ids.CPR
		want    int
	}{
		{devissuer.PersonaCaseworker, kbh.CPR, 200},
		{devissuer.PersonaCaseSystem, kbh.CPR, 200},
		{devissuer.PersonaCaseworker, moved.CPR, 200}, // moved away last month: still København's case
		{devissuer.PersonaCaseworkerAarhus, aarhus.CPR, 200},
		{devissuer.PersonaUDKCaseworker, kbh.CPR, 200},
		{devissuer.PersonaCaseworkerAarhus, kbh.CPR, 404},
		{devissuer.PersonaCaseSystemAarhus, kbh.CPR, 404},
		{devissuer.PersonaCaseworker, aarhus.CPR, 404},
	}
	for _, tc := range tests {
		for _, path := range []string{personPath(tc.cpr), incomePath(tc.cpr)} {
			code, _, b := f.get(t, tc.persona, path)
			if code != tc.want {
				t.Fatalf("%s GET %s: %d %v, want %d", tc.persona, path, code, b, tc.want)
			}
			if code == 404 && (b["code"] != "lookup.not-found" || b["months"] != nil || b["address"] != nil) {
				t.Fatalf("%s: body %v", tc.persona, b)
			}
		}
	}
}

// Finding (issue 16): "200 vs 404 tells whether a CPR exists". A number
// that does not exist and a person that is not the caller's get the same
// status and body, each taking at least UniformDelay; both refusals are
// in the ledger.
func TestNotYoursAndDoesNotExistAreOneAnswer(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	f.lookup.UniformDelay = 300 * time.Millisecond
	seasonal, missing := persona(synth.PersonaFailsMonthlyHours), unknownCPR(t)
	head := func() int64 {
		recs := f.entries(t, auth.StreamAccessDenied)
		if len(recs) == 0 {
			return 0
		}
		return recs[len(recs)-1].Seq
	}
	for _, who := range []string{devissuer.PersonaEmployer, devissuer.PersonaCaseworkerAarhus, devissuer.PersonaCitizen, devissuer.PersonaAKasse} {
		var answers [2]string
		for i, cpr := range []ids.CPR{seasonal.CPR, missing} {
			before := head()
			t0 := time.Now()
			code, _, b := f.get(t, who, personPath(cpr))
			took := time.Since(t0)
			answers[i] = fmt.Sprint(code, b)
			if code != 404 {
				t.Fatalf("%s: %d %v, want 404", who, code, b)
			}
			if took < f.lookup.UniformDelay {
				t.Fatalf("%s: answered in %v, before the uniform delay %v", who, took, f.lookup.UniformDelay)
			}
			if i == 0 && head() <= before {
				t.Fatalf("%s: the refusal is not in the access-denied stream", who)
			}
		}
		if answers[0] != answers[1] {
			t.Fatalf("%s: not yours %q, does not exist %q: the answers differ", who, answers[0], answers[1])
		}
	}
}
