package standin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
)

var ref = registers.NewMonth(2024, time.June)

var dataset = sync.OnceValues(func() (*synth.Dataset, error) {
	return synth.Generate(synth.DefaultConfig(1, ref))
})

func newServer(t *testing.T) *Server {
	t.Helper()
	d, err := dataset()
	if err != nil {
		t.Fatal(err)
	}
	return New(d)
}

func persona(key string) synth.Persona {
	p, _ := synth.PersonaByKey(key)
	return p
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	emp := persona(synth.PersonaEmployee)
	tests := []struct {
		name   string
		path   string
		status int
		code   string // error code, for non-200
		want   string // substring of a 200 body
	}{
		{name: "person found", path: "/cpr/v1/persons/" + emp.CPR.String(), status: 200, want: `"name":"Lars Jensen"`},
		{name: "person with dash accepted", path: "/cpr/v1/persons/120385-4321", status: 200, want: `"cpr":"1203854321"`},
		{name: "person unknown", path: "/cpr/v1/persons/0101010000", status: 404, code: "registers.not-found"},
		{name: "person with impossible date", path: "/cpr/v1/persons/3102901234", status: 400, code: "cpr.date"},
		{name: "person malformed", path: "/cpr/v1/persons/12", status: 400, code: "cpr.format"},
		{name: "company found", path: "/cvr/v1/companies/" + emp.CVR.String(), status: 200, want: `"name":"Demo Byg \u0026 Anlæg A/S"`},
		{name: "company unknown", path: "/cvr/v1/companies/12345674", status: 404, code: "registers.not-found"},
		{name: "company bad checksum", path: "/cvr/v1/companies/12345678", status: 400, code: "cvr.checksum"},
		{name: "p-unit found", path: "/cvr/v1/punits/" + emp.PNumber.String(), status: 200, want: `"municipality":"101"`},
		{name: "p-unit unknown", path: "/cvr/v1/punits/0000000001", status: 404, code: "registers.not-found"},
		{name: "p-unit malformed", path: "/cvr/v1/punits/1", status: 400, code: "pnumber.format"},
		{name: "income found", path: "/eindkomst/v1/persons/" + emp.CPR.String() + "/income?from=2024-01&to=2024-05", status: 200, want: `"month":"2024-05","hours":160.33`},
		{name: "income of one employer", path: "/eindkomst/v1/persons/" + emp.CPR.String() + "/income?from=2024-01&to=2024-05&employer=" + emp.CVR.String(), status: 200, want: `"employer":"30000005"`},
		{name: "income without period", path: "/eindkomst/v1/persons/" + emp.CPR.String() + "/income", status: 400, code: "income.period"},
		{name: "income with from after to", path: "/eindkomst/v1/persons/" + emp.CPR.String() + "/income?from=2024-05&to=2024-01", status: 400, code: "income.period"},
		{name: "income over 60 months", path: "/eindkomst/v1/persons/" + emp.CPR.String() + "/income?from=2019-01&to=2024-01", status: 400, code: "income.period"},
		{name: "income with bad employer", path: "/eindkomst/v1/persons/" + emp.CPR.String() + "/income?from=2024-01&to=2024-05&employer=1", status: 400, code: "cvr.format"},
		{name: "income of unknown person", path: "/eindkomst/v1/persons/0101010000/income?from=2024-01&to=2024-05", status: 404, code: "registers.not-found"},
		{name: "unknown route", path: "/nope", status: 404, code: "route.unknown"},
		{name: "health", path: "/healthz", status: 200, want: `"ok"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			if tc.status != 200 {
				var e Error
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code != tc.code || e.Da == "" || e.En == "" {
					t.Fatalf("error body %s, want code %s", rec.Body, tc.code)
				}
				return
			}
			if !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("body lacks %s: %.300s", tc.want, rec.Body)
			}
		})
	}
}

func TestDown(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	get := func(path string) int {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	path := "/cpr/v1/persons/" + persona(synth.PersonaEmployee).CPR.String()
	s.SetDown(true)
	if get(path) != 503 || get("/healthz") != 503 || get("/cvr/v1/companies/30000005") != 503 {
		t.Fatal("a register that is down must answer 503 everywhere")
	}
	s.SetDown(false)
	if get(path) != 200 || get("/healthz") != 200 {
		t.Fatal("back up must answer 200")
	}
}

func TestIncomeBody(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	p := persona(synth.PersonaFailsTotalHours)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/eindkomst/v1/persons/"+p.CPR.String()+"/income?from=2023-12&to=2024-05", nil))
	var body Income
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.CPR != p.CPR || body.From.String() != "2023-12" || body.To.String() != "2024-05" || len(body.Months) != 5 {
		t.Fatalf("body %+v", body)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/eindkomst/v1/persons/"+persona(synth.PersonaNoIncome).CPR.String()+"/income?from=2023-12&to=2024-05", nil))
	if !strings.Contains(rec.Body.String(), `"months":[]`) {
		t.Fatalf("no income must be an empty list: %s", rec.Body)
	}
}
