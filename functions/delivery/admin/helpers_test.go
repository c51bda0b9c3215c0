package admin_test

import (
	"context"
	"encoding/json"
	"testing"

	"nemrefusion.dk/functions/delivery/admin"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

const cvrA = "12345674"

type fixture struct {
	*runtimetest.Kit
	t testing.TB
}

// start runs the administration in a fresh delivery schema (its tables are
// the delivery function's) with a development issuer and the synthetic
// population table.
func start(t testing.TB) *fixture {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "delivery", Migrations: delivery.Migrations()})
	if _, err := admin.Register(context.Background(), k.Svc, admin.Config{SyntheticPopulation: true}, k.Verifier(t)); err != nil {
		t.Fatalf("Register: %v", err)
	}
	return &fixture{Kit: k, t: t}
}

func caseSystem(m string) auth.Claims {
	return auth.Claims{Subject: "ksd-" + m, Role: auth.RoleCaseSystem, Municipality: m, ClientID: "ksd-" + m}
}

func caseworker(m string, rights ...string) auth.Claims {
	return auth.Claims{Subject: "cw-" + m, Role: auth.RoleCaseworker, Municipality: m, Rights: rights, LoA: auth.LoASubstantial}
}

func employer(cvr string) auth.Claims {
	return auth.Claims{Subject: "emp-" + cvr, Role: auth.RoleEmployer, CVR: cvr, Rights: []string{auth.RightNemRefusion}, LoA: auth.LoASubstantial}
}

var operator = auth.Claims{Subject: "op-1", Role: auth.RoleAdmin, LoA: auth.LoAHigh}

// call makes an HTTP request with the token of c (none when c is nil) and
// decodes a JSON answer into out (when non-nil).
func (f *fixture) call(method, path string, c *auth.Claims, body any, out any) int {
	f.t.Helper()
	tok := ""
	if c != nil {
		tok = f.Token(f.t, *c)
	}
	r := f.Call(f.t, method, path, tok, body)
	if out != nil && r.Status/100 == 2 {
		if err := json.Unmarshal(r.Body, out); err != nil {
			f.t.Fatalf("%s %s: %v: %s", method, path, err, r.Body)
		}
	}
	return r.Status
}

// entries returns the ledger entries of stream.
func (f *fixture) entries(stream string) []ledger.Record {
	f.t.Helper()
	return f.Ledger(f.t, stream)
}
