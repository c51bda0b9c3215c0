package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

type fixture struct {
	*runtimetest.Kit
	t  testing.TB
	fn *delivery.Function
}

// start runs a delivery function in its own schema with a development
// issuer, a stand-in broker and fast push retries; opts change the
// configuration (e.g. the registers).
func start(t testing.TB, opts ...func(*delivery.Config)) *fixture {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "delivery", Migrations: delivery.Migrations()})
	ctx, cancel := context.WithCancel(context.Background())
	cfg := delivery.Config{
		PushInterval: 20 * time.Millisecond, PushBackoffBase: 20 * time.Millisecond, PushBackoffMax: 100 * time.Millisecond,
		PushTimeout: 2 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	fn, err := delivery.Register(k.Svc, cfg, k.Verifier(t))
	if err != nil {
		cancel()
		t.Fatalf("Register: %v", err)
	}
	done := make(chan struct{})
	go func() { fn.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &fixture{Kit: k, t: t, fn: fn}
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

var admin = auth.Claims{Subject: "op-1", Role: auth.RoleAdmin, LoA: auth.LoAHigh}

// post delivers an event to the function as the broker would and returns
// the status.
func (f *fixture) post(eventType, key string, data any, ext map[string]string) int {
	f.t.Helper()
	ev, err := events.New(eventType, "test", key, data, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range ext {
		ev.SetExtension(k, v)
	}
	code, body := f.Post(f.t, ev)
	if code >= 300 {
		f.t.Logf("%s answered %d: %s", eventType, code, body)
	}
	return code
}

// mustPost posts and requires 2xx; feedback carries the stamps intake's
// accept step sets for the case system of the recipient it names.
func (f *fixture) mustPost(eventType, key string, data any) {
	f.t.Helper()
	if code := f.post(eventType, key, data, stampedAsRecipient(eventType, data)); code/100 != 2 {
		f.t.Fatalf("%s: status %d", eventType, code)
	}
}

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

func countType(recs []ledger.Record, t string) int {
	n := 0
	for _, r := range recs {
		if r.EventType == t {
			n++
		}
	}
	return n
}

func newAbsence() string {
	return fmt.Sprintf("0190f0a2-7c1e-7d3a-%04x-%012x", rand.Uint32()&0xffff, rand.Uint64()&0xffffffffffff)
}

// report is delivery request n of absence as its producer sends it: the
// item id, and a payload of the shape kind names (itemPayload), so the
// request fits the delivery.requested schema.
func report(absence, recipient, kind, sender string, n int) events.DeliveryRequest {
	return events.DeliveryRequest{ItemID: fmt.Sprintf("%s/%s/%d", absence, kind, n), Recipient: recipient, Kind: kind, CaseRef: absence,
		Sender: sender, Payload: itemPayload(kind, absence, n)}
}

// itemBlankets are the blankets whose items the tests send, by the
// delivery kind the blanket pipeline gives them.
var itemBlankets = map[string]string{
	"sickness.report":          events.SicknessEmployerReported,
	"sickness.akasse.report":   events.SicknessAKasseReported,
	"sickness.early-follow-up": events.SicknessEarlyFollowUpRequested,
	"sickness.recovery":        events.SicknessRecoveryReported,
	"subsidy.wage":             events.SubsidyWageRequested,
}

// itemSubmissions are the blankets' data as their senders submit them
// (schemas/examples).
var itemSubmissions = map[string]string{
	events.SicknessEmployerReported: `{"cpr": "1203854321", "cvr": "30000005", "pNumber": "1000000001", "firstAbsenceDay": "2024-03-04", "weeklyHours": 37,
		"wagesPaid": true, "hourlyEarnings": 200.0, "employedSince": "2020-01-01", "pregnancyRelated": false, "flexjob": false,
		"retention": {"partialResumptionPossible": true, "expectsReturn": true, "retentionPlanWanted": false},
		"contact": {"name": "Lone Løn", "phone": "+4512345678", "email": "loen@example.dk"}}`,
	events.SicknessAKasseReported: `{"cpr": "3001894330", "cvr": "33000006", "firstAbsenceDay": "2024-03-04", "toldOn": "2024-03-05",
		"fullyUnemployed": true, "weeklyHours": 37, "contact": {"name": "A-kassen"}}`,
	events.SicknessEarlyFollowUpRequested: `{"cpr": "1203854321", "cvr": "30000005", "pNumber": "1000000001", "firstAbsenceDay": "2024-03-04",
		"expectedWeeks": 12, "contact": {"name": "Lone Løn"}}`,
	events.SubsidyWageRequested: `{"cpr": "1203854321", "cvr": "30000005", "pNumber": "1000000001",
		"agreement": {"reference": "JC-101-2024-0042", "date": "2024-01-15"}, "agreementPeriod": {"from": "2024-02-01", "to": "2024-07-31"},
		"period": {"from": "2024-03-01", "to": "2024-03-31"}, "hoursWorked": 148, "hoursAbsent": 0, "hourlyWage": 160.0, "wagesPaid": 23680.0,
		"contact": {"name": "Lone Løn", "phone": "+4512345678", "email": "loen@example.dk"}}`,
}

// employerPeriodReason is the reason the sickness rules give for the
// employer period of an absence from 4 March 2024.
var employerPeriodReason = events.Reason{Rule: "sdl-30-1", Law: "sygedagpengeloven § 30, stk. 1",
	Source: "https://www.retsinformation.dk/eli/lta/2024/1072",
	TextDa: "Arbejdsgiverperioden er 4. marts 2024–2. april 2024.", TextEn: "The employer period is 4 March 2024–2 April 2024.",
	Inputs: map[string]any{"firstAbsenceDay": "2024-03-04"}, Result: map[string]any{"from": "2024-03-04", "to": "2024-04-02"}}

func ptr[T any](v T) *T { return &v }

// itemPayload is the payload item n of absence has when its kind is kind:
// a blanket item with the family's result for the blanket kinds (its
// version n and receipt number n tell items of one absence apart), a
// citizen's answer for citizen kinds.
func itemPayload(kind, absence string, n int) json.RawMessage {
	var p events.DeliveryPayload
	blanket, ok := itemBlankets[kind]
	_, submitted := itemSubmissions[blanket]
	switch ok = ok && submitted; {
	case strings.HasPrefix(kind, "citizen."):
		p = events.CitizenDeliveryPayload{AbsenceID: absence, AnswerID: fmt.Sprintf("answer-%d", n), TaskID: fmt.Sprintf("task-%d", n),
			Kind: events.CitizenTaskComment, CPR: "1203854321", PersonKind: "employee", SubmittedAt: time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC),
			Signer: events.CitizenSigner{Role: "citizen", Signed: true, LoA: "substantial"}, Answer: json.RawMessage(`{"comment": "Jeg er enig i indberetningen."}`)}
	case ok && strings.HasPrefix(kind, "subsidy."):
		p = events.BlanketItem{Blanket: blanket, Receipt: fmt.Sprintf("NR-2024-%08d", n), Version: n, Status: "requested",
			Submission: json.RawMessage(itemSubmissions[blanket]),
			Result: events.SubsidyResult{CaseID: absence, Scheme: "wage", Status: "requested", Version: n,
				Period: events.DatePeriod{From: "2024-03-01", To: "2024-03-31"}, PaymentMonth: "2024-05", Hours: 148}}
	case ok && kind == "sickness.early-follow-up":
		p = events.BlanketItem{Blanket: blanket, Receipt: fmt.Sprintf("NR-2024-%08d", n), Version: n, Status: "early-follow-up",
			Submission: json.RawMessage(itemSubmissions[blanket]),
			Result: events.SicknessResult{AbsenceID: absence, Status: "early-follow-up", FirstAbsenceDay: "2024-03-04",
				EarlyFollowUp: &events.EarlyFollowUp{RequestedOn: "2024-03-11", ExpectedWeeks: 12, ExpectedReturn: "2024-05-27", Allowed: true,
					MeetingBy: "2024-03-25", Contact: events.Contact{Name: "Lone Løn"}}}}
	case ok && strings.HasPrefix(kind, "sickness."):
		p = events.BlanketItem{Blanket: blanket, Receipt: fmt.Sprintf("NR-2024-%08d", n), Version: n, Status: "reported",
			Submission: json.RawMessage(itemSubmissions[blanket]),
			Result: events.SicknessResult{AbsenceID: absence, Status: "reported", FirstAbsenceDay: "2024-03-04",
				Tasks: []string{events.CitizenTaskComment, events.CitizenTaskApplication, events.CitizenTaskInformationForm},
				Refusion: &events.SicknessRefusion{EmployerPeriod: events.EmployerPeriod{Applies: true, From: ptr("2024-03-04"), To: ptr("2024-04-02")},
					RefusionFrom: ptr("2024-04-03"), ReportDeadline: "2024-05-07", MaxHourlyRate: 12689, HourlyRate: 12689, WeeklyAmount: 469493}},
			Reasons: []events.Reason{employerPeriodReason}}
	default:
		panic("no test payload for delivery kind " + kind)
	}
	b, err := events.MarshalPayload(p)
	if err != nil {
		panic(err)
	}
	return b
}

// sameJSON reports whether a and b are the same JSON value (the store
// keeps a payload as jsonb, which orders its keys its own way).
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
