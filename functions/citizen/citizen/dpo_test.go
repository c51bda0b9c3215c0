package citizen_test

import (
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/citizen"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// With the synthetic municipalities' seed, "Mit forløb" names the person's
// municipality's synthetic DPO link for when no administrator set one
// (seeds/003: the DPO is linked on every page); without it, none is
// invented.
func TestTheSyntheticMunicipalitysDPOLinkIsSeeded(t *testing.T) {
	t.Parallel()
	for _, seeded := range []bool{true, false} {
		f := &fixture{runtimetest.Start(t, runtimetest.Options{Name: "citizen", Migrations: citizen.Migrations()})}
		v := f.Verifier(t)
		v.Log, v.Ledger = f.Svc.Log, f.Svc.DB
		c := citizen.Config{}
		if seeded {
			c.DPOSeed = synth.DPOLink
		}
		citizen.Register(f.Svc, v, 5*time.Minute, c)
		me := persona(t, devissuer.PersonaCitizen)
		id := f.newAbsence(t, me.CPR, "employee", events.CitizenTaskComment)
		r := f.want(t, f.call(t, f.token(t, me, 0), "GET", "/api/v1/citizen/absences/"+id, nil), 200)
		dpo, _ := r.body["dpo"].(map[string]any)
		want, _ := synth.DPOLink(101)
		if !seeded {
			want = ""
		}
		if got, _ := dpo["seed"].(string); got != want || dpo["name"] != "København" || dpo["url"] != nil {
			t.Errorf("seeded %v: DPO %v, want seed %q and no url (the administrator's setting, from href, comes first)", seeded, dpo, want)
		}
	}
}
