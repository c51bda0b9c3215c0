package blanket

import (
	"errors"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/schemas"
)

// FuzzCheckSubmission checks intake's hook on fuzzed blanket payloads (and
// payloads of every other type, which it must let through untouched), for
// principals of every sender role, of the examples' CVR and of another: the
// answer is nil, field errors (400, both languages) or a plain 403; an
// accepted blanket passes its domain checks and names a CVR the principal
// may act for; a 403 is never given for data the domain checks refuse.
func FuzzCheckSubmission(f *testing.F) {
	claims := []auth.Claims{
		{Role: auth.RoleEmployer, CVR: "30000005", Rights: []string{auth.RightNemRefusion}},
		{Role: auth.RoleEmployer, CVR: "30000005"}, // no NemRefusion right
		{Role: auth.RoleEmployer, CVR: "19435075", Rights: []string{auth.RightNemRefusion}},
		{Role: auth.RolePayrollSystem, CVR: "30000005", ClientID: "payroll"},
		{Role: auth.RolePayrollSystem, CVR: "19435075", ClientID: "payroll", OnBehalfOf: "30000005"},
		{Role: auth.RoleSelfEmployed, CVR: "30000005", CPR: "1203854321"},
		{Role: auth.RoleAKasse, CVR: "30000005"},
		{Role: auth.RoleCitizen, CPR: "1203854321"},
	}
	var principals []auth.Principal
	for _, c := range claims {
		c.Subject = "fuzz"
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
		err := CheckSubmission(p, typ, data)
		if events.BlanketSenders(typ) == nil {
			if err != nil {
				t.Fatalf("%s is no blanket, yet refused: %v", typ, err)
			}
			return
		}
		domain := events.CheckDomain(typ, data)
		cvr, cvrErr := ids.ParseCVR(events.BlanketCVR(data))
		switch {
		case err == nil:
			if domain != nil || cvrErr != nil || !p.CanActForCVR(cvr) {
				t.Fatalf("%s accepted for %s: domain %v, cvr %v", typ, p.Role, domain, cvrErr)
			}
		case errors.Is(err, auth.ErrForbidden):
			if domain != nil {
				t.Fatalf("%s: 403 for data the domain checks refuse (%v)", typ, domain)
			}
			if cvrErr == nil && p.CanActForCVR(cvr) {
				t.Fatalf("%s: 403 for %s, who may act for the CVR", typ, p.Role)
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
