package accept

import (
	"errors"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/schemas"
)

// FuzzCheck checks the submission policy on fuzzed payloads of every type,
// for principals of every sender role (and a case system, a citizen), of
// the examples' CVR and of another, with a fresh login: the answer is nil,
// field errors (400, both languages), not-submittable or Denied (403); an
// accepted event is submittable, passes its schema and domain checks and
// comes from one of its senders, for a blanket naming a CVR the principal
// may act for; a 403 is never given for data the checks refuse.
func FuzzCheck(f *testing.F) {
	claims := []auth.Claims{
		{Role: auth.RoleEmployer, CVR: "30000005", Rights: []string{auth.RightNemRefusion}},
		{Role: auth.RoleEmployer, CVR: "30000005"}, // no NemRefusion right
		{Role: auth.RoleEmployer, CVR: "19435075", Rights: []string{auth.RightNemRefusion}},
		{Role: auth.RolePayrollSystem, CVR: "30000005", ClientID: "payroll"},
		{Role: auth.RolePayrollSystem, CVR: "19435075", ClientID: "payroll", OnBehalfOf: "30000005"},
		{Role: auth.RoleSelfEmployed, CVR: "30000005", CPR: "1203854321"},
		{Role: auth.RoleAKasse, CVR: "30000005"},
		{Role: auth.RoleCitizen, CPR: "1203854321"},
		{Role: auth.RoleCaseSystem, Municipality: "101", ClientID: "ksd"},
	}
	now := time.Now()
	var principals []auth.Principal
	for _, c := range claims {
		c.Subject = "fuzz"
		c.AuthTime = now.Unix()
		p, err := c.Principal()
		if err != nil {
			f.Fatalf("%+v: %v", c, err)
		}
		principals = append(principals, p)
	}
	files, err := fs.Glob(schemas.FS, "examples/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no examples: %v", err)
	}
	var types []string
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "examples/"), ".json")
		types = append(types, events.TypePrefix+name)
		ex, err := fs.ReadFile(schemas.FS, file)
		if err != nil {
			f.Fatal(err)
		}
		for i := range principals {
			if events.BlanketSenders(events.TypePrefix+name) != nil || i == 0 {
				f.Add(uint8(i), name, ex)
			}
		}
		f.Add(uint8(0), name, []byte(strings.Replace(string(ex), `"30000005"`, `"30000006"`, 1)))
		f.Add(uint8(0), name, []byte(strings.Replace(string(ex), `"30000005"`, `"19435075"`, 1)))
	}
	sort.Strings(types)
	f.Add(uint8(0), "sickness.employer.reported.v1", []byte(`{"cvr":30000005}`))
	f.Add(uint8(0), "sickness.cancellation.submitted.v1", []byte(`{"cvr":" 30000005 "}`))
	f.Fuzz(func(t *testing.T, who uint8, name string, data []byte) {
		p := principals[int(who)%len(principals)]
		typ := events.TypePrefix + name
		if !events.Known(typ) {
			typ = types[len(name)%len(types)]
		}
		err := Check(p, typ, "s", data, 5*time.Minute, now)
		valid := CheckData(data) == nil && events.ValidateJSON(typ, data) == nil && events.CheckDomain(typ, data) == nil
		var d Denied
		switch {
		case !events.Submittable(typ):
			if runtime.ProblemOf(err).Code != "not-submittable" {
				t.Fatalf("%s is not submittable, yet %v", typ, err)
			}
		case err == nil:
			if !valid {
				t.Fatalf("%s accepted for %s with data its checks refuse", typ, p.Role)
			}
			if typ != events.ProbeRequested && !mayAs(p, typ) {
				t.Fatalf("%s accepted from %s, not one of its senders", typ, p.Role)
			}
			if events.Preparable(typ) {
				cvr, cvrErr := ids.ParseCVR(events.BlanketCVR(data))
				if cvrErr != nil || !p.CanActForCVR(cvr) {
					t.Fatalf("%s accepted for %s naming a CVR it may not act for", typ, p.Role)
				}
			}
		case errors.As(err, &d):
			if !valid {
				t.Fatalf("%s: 403 (%s) for data the checks refuse", typ, d.Reason)
			}
			if runtime.ProblemOf(auth.ErrForbidden).Status != http.StatusForbidden {
				t.Fatal("auth.ErrForbidden is no 403")
			}
		default:
			var fe events.FieldErrors
			if !errors.As(err, &fe) || len(fe) == 0 {
				t.Fatalf("%s: refused with %v, neither field errors nor 403", typ, err)
			}
			pr := runtime.ProblemOf(err)
			if pr.Status != http.StatusBadRequest || pr.Da == "" || pr.En == "" || len(pr.Errors) != len(fe) {
				t.Fatalf("%s: problem %+v", typ, pr)
			}
			for _, e := range pr.Errors {
				if e.Code == "" || e.Da == "" || e.En == "" {
					t.Fatalf("%s: field error without code or texts: %+v", typ, e)
				}
			}
		}
	})
}
