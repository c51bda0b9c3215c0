package dfdg_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/dfdg/dfdg"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

type fixture struct {
	*runtimetest.Kit
	t testing.TB
}

// start runs a dfdg function in its own schema with a development issuer
// and a stand-in broker.
func start(t testing.TB) *fixture {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "dfdg", Migrations: dfdg.Migrations()})
	dfdg.Register(k.Svc, k.Verifier(t))
	return &fixture{Kit: k, t: t}
}

func caseSystem(m string) auth.Claims {
	return auth.Claims{Subject: "ksd-" + m, Role: auth.RoleCaseSystem, Municipality: m, ClientID: "ksd-" + m}
}

func employer(cvr string) auth.Claims {
	return auth.Claims{Subject: "emp-" + cvr, Role: auth.RoleEmployer, CVR: cvr, Rights: []string{auth.RightNemRefusion}, LoA: auth.LoASubstantial}
}

// post delivers an event to the function as the broker would and returns
// the status and body.
func (f *fixture) post(eventType, key string, data any) (int, string) {
	f.t.Helper()
	ev, err := events.New(eventType, "test", key, data, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.Post(f.t, ev)
}

// mustPost posts and requires 2xx.
func (f *fixture) mustPost(eventType, key string, data any) {
	f.t.Helper()
	if code, body := f.post(eventType, key, data); code/100 != 2 {
		f.t.Fatalf("%s: status %d: %s", eventType, code, body)
	}
}

// call makes an HTTP request with the token of c and decodes a JSON answer
// into out (when non-nil).
func (f *fixture) call(method, path string, c auth.Claims, out any) int {
	f.t.Helper()
	r := f.Call(f.t, method, path, f.Token(f.t, c), nil)
	if out != nil && r.Status/100 == 2 {
		if err := json.Unmarshal(r.Body, out); err != nil {
			f.t.Fatalf("%s %s: %v: %s", method, path, err, r.Body)
		}
	}
	return r.Status
}

func newAbsence() string {
	return fmt.Sprintf("0190f0a2-7c1e-7d3a-%04x-%012x", rand.Uint32()&0xffff, rand.Uint64()&0xffffffffffff)
}

// delivered is the delivery.requested of an absence's first report to
// recipient, as the blanket pipeline sends it: the employer's report with
// the sickness rules' result (the dfdg function reads only its recipient
// and case, but the event must fit its type).
func delivered(absence, recipient string) events.DeliveryRequest {
	from, to, refusionFrom := "2024-03-04", "2024-04-02", "2024-04-03"
	payload, err := events.MarshalPayload(events.BlanketItem{Blanket: events.SicknessEmployerReported, Receipt: "NR-2024-00000001", Version: 1,
		Status: "reported",
		Submission: json.RawMessage(`{"cpr": "1203854321", "cvr": "12345674", "pNumber": "1000000001", "firstAbsenceDay": "2024-03-04",
			"weeklyHours": 37, "wagesPaid": true, "hourlyEarnings": 200.0, "employedSince": "2020-01-01", "pregnancyRelated": false, "flexjob": false,
			"retention": {"partialResumptionPossible": true, "expectsReturn": true, "retentionPlanWanted": false},
			"contact": {"name": "Lone Løn", "phone": "+4512345678", "email": "loen@example.dk"}}`),
		Result: events.SicknessResult{AbsenceID: absence, Status: "reported", FirstAbsenceDay: from,
			Tasks: []string{events.CitizenTaskComment, events.CitizenTaskApplication, events.CitizenTaskInformationForm},
			Refusion: &events.SicknessRefusion{EmployerPeriod: events.EmployerPeriod{Applies: true, From: &from, To: &to},
				RefusionFrom: &refusionFrom, ReportDeadline: "2024-05-07", MaxHourlyRate: 12689, HourlyRate: 12689, WeeklyAmount: 469493}},
		Reasons: []events.Reason{{Rule: "sdl-30-1", Law: "sygedagpengeloven § 30, stk. 1", Source: "https://www.retsinformation.dk/eli/lta/2024/1072",
			TextDa: "Arbejdsgiverperioden er 4. marts 2024–2. april 2024.", TextEn: "The employer period is 4 March 2024–2 April 2024."}}})
	if err != nil {
		panic(err)
	}
	return events.DeliveryRequest{ItemID: absence + "/sickness.report/1", Recipient: recipient, Kind: "sickness.report", CaseRef: absence,
		Sender: "cvr:12345674", Payload: payload}
}
