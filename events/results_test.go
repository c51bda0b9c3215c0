package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/schemas"
)

// Contract tests of issue 17, item 3: the blanket result of BlanketDecided
// and the payload of DeliveryRequested are Go types whose JSON their
// schemas accept, and the schemas refuse what the types cannot be.

func str(s string) *string { return &s }
func kr(v Kroner) *Kroner  { return &v }

const absenceID = "0190f0a2-7c1e-7d3a-9c55-5d6f2f6f8a10"

func exampleReasons() []Reason {
	return []Reason{{Rule: "sdl-30-1", Law: "sygedagpengeloven § 30, stk. 1", Source: "https://www.retsinformation.dk/eli/lta/2024/1072",
		TextDa: "Arbejdsgiverperioden er 4. marts 2024–2. april 2024.", TextEn: "The employer period is 4 March 2024–2 April 2024.",
		Inputs: map[string]any{"firstAbsenceDay": "2024-03-04"}, Result: map[string]any{"from": "2024-03-04", "to": "2024-04-02"}}}
}

// resultCase is one realistic result of one blanket, with the delivery
// kind its item gets.
type resultCase struct {
	name, blanket, kind string
	result              BlanketResult
}

func resultCases() []resultCase {
	contact := Contact{Name: "Lone Løn", Phone: "+4512345678", Email: "loen@example.dk"}
	return []resultCase{
		{"sickness report", SicknessEmployerReported, "sickness.report", SicknessResult{AbsenceID: absenceID, Status: "reported",
			FirstAbsenceDay: "2024-03-04", Tasks: []string{CitizenTaskComment, CitizenTaskApplication, CitizenTaskInformationForm},
			Refusion: &SicknessRefusion{EmployerPeriod: EmployerPeriod{Applies: true, From: str("2024-03-04"), To: str("2024-04-02")},
				RefusionFrom: str("2024-04-03"), ReportDeadline: "2024-05-07", MaxHourlyRate: 12689, HourlyRate: 12689, WeeklyAmount: 469493}}},
		{"sickness report, no employer period and no refusion", SicknessSelfEmployedReported, "sickness.selfemployed.report",
			SicknessResult{AbsenceID: absenceID, Status: "recovered", FirstAbsenceDay: "2024-03-04", LastAbsenceDay: "2024-03-08",
				Refusion: &SicknessRefusion{EmployerPeriod: EmployerPeriod{}, ReportDeadline: "2024-05-07", Late: true, Provisional: true}}},
		{"sickness next period", SicknessPeriodReported, "sickness.refusion-period", SicknessResult{AbsenceID: absenceID, Status: "reported",
			FirstAbsenceDay: "2024-03-04", Period: &SicknessPeriodRefusion{Asked: DatePeriod{From: "2024-04-03", To: "2024-04-30"},
				Covered: &DatePeriod{From: "2024-04-03", To: "2024-04-30"}, MaxHourlyRate: 12689, HourlyRate: 12000, Amount: 1776000}}},
		{"sickness next period not covered", SicknessPeriodReported, "sickness.refusion-period", SicknessResult{AbsenceID: absenceID,
			Status: "reported", FirstAbsenceDay: "2024-03-04", Period: &SicknessPeriodRefusion{Asked: DatePeriod{From: "2024-03-04", To: "2024-03-10"}}}},
		{"sickness early follow-up", SicknessEarlyFollowUpRequested, "sickness.early-follow-up", SicknessResult{AbsenceID: absenceID,
			Status: "early-follow-up", FirstAbsenceDay: "2024-03-04", EarlyFollowUp: &EarlyFollowUp{RequestedOn: "2024-03-11",
				ExpectedWeeks: 10, ExpectedReturn: "2024-05-13", Allowed: true, MeetingBy: "2024-03-25", Contact: contact}}},
		{"sickness cancellation", SicknessCancellationSubmitted, "sickness.cancellation", SicknessResult{AbsenceID: absenceID,
			Status: "cancelled", FirstAbsenceDay: "2024-03-04"}},
		{"parental employer", ParentalEmployerReported, "parental.report", ParentalEmployerResult{CaseID: absenceID, Status: "requested",
			Version: 1, ChildDate: "2024-03-10", Refusion: ParentalRefusion{
				Periods: []ParentalPeriodRefusion{
					{ParentalPeriod: ParentalPeriod{From: "2024-02-12", To: "2024-03-09", Kind: LeavePregnancy, HoursAbsent: 148, WagesPaid: 2960000},
						LeavePeriodFrom: "2024-02-12", LeavePeriodTo: "2024-05-18", MaxHourlyRate: kr(12689), HourlyRate: kr(12689),
						Dagpenge: kr(1877972), Refusion: kr(1877972), CappedBy: "dagpenge"},
					{ParentalPeriod: ParentalPeriod{From: "2024-03-10", To: "2024-05-18", Kind: LeaveBirth, HoursAbsent: 370, WagesPaid: 7400000},
						LeavePeriodFrom: "2024-02-12", LeavePeriodTo: "2024-05-18", Deadline: str("2024-07-20"), Lapsed: true,
						Refusion: kr(0), CappedBy: "lapsed"},
				},
				LeavePeriods: []ParentalLeavePeriod{{From: "2024-02-12", To: "2024-05-18", Open: true, Expires: "2024-05-25", Deadline: "2024-07-20"}},
				Total:        1877972, Complete: false, MissingRateYears: []int{2025}, NextDeadline: "2024-07-20", Provisional: true}}},
		{"parental self-employed", ParentalSelfEmployedReported, "parental.selfemployed.report", ParentalLeaveResult{CaseID: absenceID,
			Status: "requested", Version: 2, ChildDate: "2024-03-10",
			Periods:      []ParentalPeriod{{From: "2024-03-10", To: "2024-05-18", Kind: LeaveBirth, HoursAbsent: 370}},
			LeavePeriods: []ParentalLeavePeriod{{From: "2024-03-10", To: "2024-05-18", Expires: "2024-05-25", Deadline: "2024-07-20"}}}},
		{"parental a-kasse", ParentalAKasseReported, "parental.akasse.information", ParentalLeaveResult{CaseID: absenceID,
			Status: "requested", Version: 1, ChildDate: "2024-03-10",
			Periods:      []ParentalPeriod{{From: "2024-03-10", To: "2024-03-16", Kind: LeaveParental, HoursAbsent: 37}},
			LeavePeriods: []ParentalLeavePeriod{{From: "2024-03-10", To: "2024-03-16", Expires: "2024-03-23", Deadline: "2024-05-18"}}}},
		{"subsidy wage", SubsidyWageRequested, "subsidy.wage", SubsidyResult{CaseID: absenceID, Scheme: "wage", Status: "requested",
			Version: 1, Period: DatePeriod{From: "2024-03-01", To: "2024-03-31"}, PaymentMonth: "2024-05", Hours: 148.5}},
		{"subsidy flexjob", SubsidyFlexjobRequested, "subsidy.flexjob", SubsidyResult{CaseID: absenceID, Scheme: "flexjob",
			Status: "requested", Version: 3, Period: DatePeriod{From: "2024-03-01", To: "2024-03-31"}, Hours: 80,
			Subsidy: &SubsidyFraction{Scheme: "flexjob", Fraction: "2/3", Basis: 2000000, AmountBeforeCap: 1333333, Year: 2024,
				PaidThisYear: 2666666, Cap: kr(20000000), Amount: kr(1333333)}}},
		{"subsidy § 136 without a known cap", SubsidySelfEmployed136Requested, "subsidy.selfemployed136", SubsidyResult{CaseID: absenceID,
			Scheme: "selfemployed136", Status: "requested", Version: 1, Period: DatePeriod{From: "2031-01-01", To: "2031-01-31"},
			Subsidy: &SubsidyFraction{Scheme: "selfemployed136", Fraction: "1/2", Basis: 3000000, AmountBeforeCap: 1500000, Year: 2031, CapUnknown: true}}},
		{"subsidy job clarification", SubsidyJobClarificationRequested, "subsidy.jobclarification", SubsidyResult{CaseID: absenceID,
			Scheme: "jobclarification", Status: "requested", Version: 1, Period: DatePeriod{From: "2024-03-01", To: "2024-03-31"},
			RefusionFrom: "2024-03-04", Hours: 20}},
		{"subsidy adult apprentice", SubsidyAdultApprenticeRequested, "subsidy.adultapprentice", SubsidyResult{CaseID: absenceID,
			Scheme: "adultapprentice", Status: "requested", Version: 1, Period: DatePeriod{From: "2024-03-01", To: "2024-03-31"}, Hours: 160}},
		{"subsidy mentor", SubsidyMentorRequested, "subsidy.mentor", SubsidyResult{CaseID: absenceID, Scheme: "mentor",
			Status: "requested", Version: 1, Period: DatePeriod{From: "2024-03-01", To: "2024-03-31"}, Hours: 12}},
	}
}

func submissionOf(t *testing.T, blanket string) json.RawMessage {
	t.Helper()
	b, err := fs.ReadFile(schemas.FS, "examples/"+strings.TrimPrefix(blanket, TypePrefix)+".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func blanketRequest(t *testing.T, c resultCase, item BlanketItem) DeliveryRequest {
	t.Helper()
	payload, err := MarshalPayload(item)
	if err != nil {
		t.Fatal(err)
	}
	return DeliveryRequest{ItemID: absenceID + "/" + c.kind + "/1", Recipient: "101", Kind: c.kind, CaseRef: absenceID,
		Sender: "cvr:30000005", Payload: payload}
}

func itemOf(t *testing.T, c resultCase) BlanketItem {
	return BlanketItem{Blanket: c.blanket, Receipt: "NR-2024-000123", Version: 1, Status: "reported",
		Submission: submissionOf(t, c.blanket), Result: c.result, Reasons: exampleReasons()}
}

// Every family's result, in BlanketDecided and in the delivery item of its
// blanket, is accepted by the schemas and decodes back to the same value.
func TestEveryBlanketResultIsAcceptedAndDecodesBack(t *testing.T) {
	for _, c := range resultCases() {
		t.Run(c.name, func(t *testing.T) {
			d := BlanketDecision{CaseID: absenceID, Blanket: c.blanket, Sender: "cvr:30000005", Receipt: "NR-2024-000123",
				Status: "reported", Recipient: "101", Result: c.result, Reasons: exampleReasons()}
			b := mustJSON(t, d)
			if err := ValidateJSON(BlanketDecided, b); err != nil {
				t.Fatalf("decision refused: %v\n%s", err, b)
			}
			var back BlanketDecision
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Result, c.result) {
				t.Fatalf("result decoded as %#v, want %#v", back.Result, c.result)
			}

			req := blanketRequest(t, c, itemOf(t, c))
			b = mustJSON(t, req)
			if err := ValidateJSON(DeliveryRequested, b); err != nil {
				t.Fatalf("delivery refused: %v\n%s", err, b)
			}
			p, err := req.DecodePayload()
			if err != nil {
				t.Fatal(err)
			}
			item, ok := p.(BlanketItem)
			if !ok || !reflect.DeepEqual(item.Result, c.result) || item.Blanket != c.blanket || item.Version != 1 {
				t.Fatalf("payload decoded as %#v", p)
			}
			var got, want bytes.Buffer
			_ = json.Compact(&got, item.Submission)
			_ = json.Compact(&want, submissionOf(t, c.blanket))
			if got.String() != want.String() {
				t.Fatalf("submission decoded as %s", got.String())
			}
		})
	}
}

// A decision or item without reasons has an empty list of them, never
// null, which the schemas refuse.
func TestNoReasonsIsAnEmptyList(t *testing.T) {
	c := resultCases()[5]
	d := mustJSON(t, BlanketDecision{CaseID: absenceID, Blanket: c.blanket, Sender: "cvr:30000005", Status: "cancelled", Result: c.result})
	if err := ValidateJSON(BlanketDecided, d); err != nil || !strings.Contains(string(d), `"reasons":[]`) {
		t.Fatalf("%s: %v", d, err)
	}
	item := itemOf(t, c)
	item.Reasons = nil
	r := mustJSON(t, blanketRequest(t, c, item))
	if err := ValidateJSON(DeliveryRequested, r); err != nil || !strings.Contains(string(r), `"reasons":[]`) {
		t.Fatalf("%s: %v", r, err)
	}
}

// The schemas' examples are values of the Go types.
func TestExamplesDecodeIntoTheGoTypes(t *testing.T) {
	var d BlanketDecision
	if err := json.Unmarshal(exampleOf(t, BlanketDecided), &d); err != nil {
		t.Fatal(err)
	}
	if r, ok := d.Result.(SicknessResult); !ok || r.Refusion == nil || r.Refusion.WeeklyAmount != 469493 {
		t.Fatalf("example result %#v", d.Result)
	}
	var req DeliveryRequest
	if err := json.Unmarshal(exampleOf(t, DeliveryRequested), &req); err != nil {
		t.Fatal(err)
	}
	p, err := req.DecodePayload()
	if err != nil {
		t.Fatal(err)
	}
	if it, ok := p.(BlanketItem); !ok || !reflect.DeepEqual(it.Result, d.Result) {
		t.Fatalf("example payload %#v", p)
	}
}

// Every registered blanket has a result type, so no blanket's result is
// outside the contract.
func TestEveryBlanketHasAResultType(t *testing.T) {
	for _, b := range Blankets() {
		if _, err := ResultOf(b.Type); err != nil {
			t.Errorf("%s: %v", b.Type, err)
		}
	}
	if _, err := ResultOf(TypePrefix + "nothing.v1"); !errors.Is(err, ErrUnknownBlanket) {
		t.Fatalf("unknown blanket: %v", err)
	}
}

// The citizen function's and the data-foundation feed's payloads are
// accepted for their kinds and decode back.
func TestCitizenAndDfdgPayloadsAreAccepted(t *testing.T) {
	submitted := time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC)
	answer := json.RawMessage(`{"comment":"Jeg er enig i anmeldelsen."}`)
	cases := []struct {
		kind string
		p    DeliveryPayload
	}{
		{DeliveryKindCitizenAnswer, CitizenDeliveryPayload{AbsenceID: absenceID, AnswerID: "a1", TaskID: absenceID + "/comment",
			Kind: CitizenTaskComment, CPR: "1203854321", PersonKind: "employee", SubmittedAt: submitted,
			Signer: CitizenSigner{Role: "citizen", Signed: true, LoA: "substantial", AuthTime: submitted.Add(-time.Minute)}, Answer: answer}},
		{DeliveryKindCitizenRecovery, CitizenDeliveryPayload{AbsenceID: absenceID, AnswerID: "a2", Kind: "recovery", CPR: "1203854321",
			PersonKind: "self-employed", SubmittedAt: submitted, Signer: CitizenSigner{Role: "proxy"}, Answer: json.RawMessage(`{"lastAbsenceDay":"2024-03-15"}`)}},
		{DfdgRecoveryKind, DfdgRecovery{AbsenceID: absenceID, FirstAbsenceDay: "2024-03-04", LastAbsenceDay: "2024-03-15",
			SickRegisteredOn: "2024-03-05", RecoveryRegisteredOn: "2024-03-16"}},
		{DfdgRecoveryKind, DfdgRecovery{AbsenceID: absenceID, FirstAbsenceDay: "2024-03-04", LastAbsenceDay: "2024-03-15",
			RecoveryRegisteredOn: "2024-03-16"}},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			payload, err := MarshalPayload(c.p)
			if err != nil {
				t.Fatal(err)
			}
			req := DeliveryRequest{ItemID: absenceID + "/x", Recipient: "101", Kind: c.kind, CaseRef: absenceID, Payload: payload}
			if err := ValidateJSON(DeliveryRequested, mustJSON(t, req)); err != nil {
				t.Fatalf("refused: %v\n%s", err, payload)
			}
			back, err := req.DecodePayload()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(mustJSON(t, back), []byte(payload)) {
				t.Fatalf("decoded %s, want %s", mustJSON(t, back), payload)
			}
		})
	}
}

// refused says data is refused with a field error code at field.
func refused(t *testing.T, typ string, data []byte, field, code string) {
	t.Helper()
	err := ValidateJSON(typ, data)
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("accepted (%v): %s", err, data)
	}
	for _, e := range fe {
		if e.Field == field && e.Code == code {
			return
		}
	}
	t.Fatalf("no %s at %s: %v", code, field, fe)
}

// setIn sets path (dot-separated) of a JSON document to v.
func setIn(t *testing.T, data []byte, path string, v any) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	m := doc
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		m = m[p].(map[string]any)
	}
	m[parts[len(parts)-1]] = v
	return mustJSON(t, doc)
}

// A payload or result with a field its shape does not have, a result of
// another family than the blanket's, a payload of another shape than the
// kind's and a kind no producer emits are refused.
func TestWrongPayloadsAndResultsAreRefused(t *testing.T) {
	cs := resultCases()
	sick, subsidy := cs[0], cs[10]
	req := mustJSON(t, blanketRequest(t, sick, itemOf(t, sick)))
	dec := mustJSON(t, BlanketDecision{CaseID: absenceID, Blanket: sick.blanket, Sender: "cvr:30000005", Status: "reported",
		Result: sick.result, Reasons: exampleReasons()})

	t.Run("unknown field in the item", func(t *testing.T) {
		refused(t, DeliveryRequested, setIn(t, req, "payload.note", "x"), "payload.note", "unknown-field")
	})
	t.Run("unknown field in the result", func(t *testing.T) {
		refused(t, BlanketDecided, setIn(t, dec, "result.note", "x"), "result.note", "unknown-field")
		refused(t, DeliveryRequested, setIn(t, req, "payload.result.note", "x"), "payload.result.note", "unknown-field")
	})
	t.Run("the rules' reasons inside the refusion", func(t *testing.T) {
		// They travel once, next to the result (BlanketDecision.Reasons).
		refused(t, BlanketDecided, setIn(t, dec, "result.refusion.reasons", nil), "result.refusion.reasons", "unknown-field")
	})
	t.Run("unknown field in a reason", func(t *testing.T) {
		var doc map[string]any
		_ = json.Unmarshal(dec, &doc)
		doc["reasons"].([]any)[0].(map[string]any)["note"] = "x"
		refused(t, BlanketDecided, mustJSON(t, doc), "reasons.0.note", "unknown-field")
	})
	t.Run("result of another family", func(t *testing.T) {
		wrong := mustJSON(t, BlanketDecision{CaseID: absenceID, Blanket: sick.blanket, Sender: "cvr:30000005", Status: "reported",
			Result: subsidy.result, Reasons: exampleReasons()})
		refused(t, BlanketDecided, wrong, "result.absenceId", "required")
		item := itemOf(t, sick)
		item.Result = subsidy.result
		refused(t, DeliveryRequested, mustJSON(t, blanketRequest(t, sick, item)), "payload.result.absenceId", "required")
		var back BlanketDecision
		if err := json.Unmarshal(wrong, &back); err != nil {
			t.Fatal(err)
		}
		if _, ok := back.Result.(SicknessResult); !ok {
			t.Fatalf("a sickness blanket's result decodes as %T", back.Result)
		}
	})
	t.Run("parental leave result for the employer's request", func(t *testing.T) {
		wrong := mustJSON(t, BlanketDecision{CaseID: absenceID, Blanket: ParentalEmployerReported, Sender: "cvr:30000005",
			Status: "requested", Result: cs[7].result, Reasons: exampleReasons()})
		refused(t, BlanketDecided, wrong, "result.refusion", "required")
	})
	t.Run("money finer than one øre", func(t *testing.T) {
		refused(t, BlanketDecided, setIn(t, dec, "result.refusion.hourlyRate", 126.895), "result.refusion.hourlyRate", "invalid")
		refused(t, BlanketDecided, setIn(t, dec, "result.refusion.hourlyRate", "126.89"), "result.refusion.hourlyRate", "type")
	})
	t.Run("blanket item of another family than the kind", func(t *testing.T) {
		c := subsidy
		c.kind = "sickness.report"
		r := blanketRequest(t, c, itemOf(t, subsidy))
		refused(t, DeliveryRequested, mustJSON(t, r), "payload.blanket", "format")
		if _, err := r.DecodePayload(); err == nil {
			t.Fatal("decoded")
		}
	})
	t.Run("blanket item under a citizen kind", func(t *testing.T) {
		refused(t, DeliveryRequested, setIn(t, req, "kind", DeliveryKindCitizenAnswer), "payload.blanket", "unknown-field")
	})
	t.Run("unknown kind", func(t *testing.T) {
		refused(t, DeliveryRequested, setIn(t, req, "kind", "document"), "kind", "format")
		if _, err := (DeliveryRequest{Kind: "document", Payload: json.RawMessage(`{}`)}).DecodePayload(); err == nil {
			t.Fatal("decoded")
		}
	})
	t.Run("a CPR number in a recovery notification", func(t *testing.T) {
		r := mustJSON(t, DeliveryRequest{ItemID: "dfdg-recovery/" + absenceID + "/101", Recipient: "101", Kind: DfdgRecoveryKind,
			CaseRef: absenceID, Payload: json.RawMessage(`{"absenceId":"` + absenceID + `","firstAbsenceDay":"2024-03-04","lastAbsenceDay":"2024-03-15","recoveryRegisteredOn":"2024-03-16","cpr":"1203854321"}`)})
		refused(t, DeliveryRequested, r, "payload.cpr", "unknown-field")
	})
}

// Kroner is exact both ways and keeps the two decimals the results have
// always had.
func TestKronerIsExact(t *testing.T) {
	for _, c := range []struct {
		k    Kroner
		json string
	}{{469500, "4695.00"}, {12689, "126.89"}, {1, "0.01"}, {-350, "-3.50"}, {0, "0.00"}} {
		if got := string(mustJSON(t, c.k)); got != c.json {
			t.Errorf("%d: %s, want %s", c.k, got, c.json)
		}
		var back Kroner
		if err := json.Unmarshal([]byte(c.json), &back); err != nil || back != c.k {
			t.Errorf("%s: %d (%v)", c.json, back, err)
		}
	}
	for in, want := range map[string]Kroner{"4695": 469500, "126.9": 12690, "1.500": 150} {
		var k Kroner
		if err := json.Unmarshal([]byte(in), &k); err != nil || k != want {
			t.Errorf("%s: %d (%v)", in, k, err)
		}
	}
	for _, in := range []string{"1.005", `"1.00"`, "1e3", "null"} {
		var k Kroner
		if err := json.Unmarshal([]byte(in), &k); err == nil {
			t.Errorf("%s accepted as %d", in, k)
		}
	}
}

// The definitions both schemas have are the same, so a partner reads one
// shape of a result wherever it meets it.
func TestSharedDefinitionsAreTheSame(t *testing.T) {
	defs := func(f string) map[string]any {
		b, err := fs.ReadFile(schemas.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Defs map[string]any `json:"$defs"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		return s.Defs
	}
	decided, delivery := defs("blanket.decided.v1.json"), defs("delivery.requested.v1.json")
	if len(decided) == 0 {
		t.Fatal("no $defs")
	}
	for name, d := range decided {
		if !reflect.DeepEqual(d, delivery[name]) {
			t.Errorf("$defs/%s differs between blanket.decided and delivery.requested", name)
		}
	}
}

// The schemas' lists of leave kinds and citizen task kinds are the Go ones.
func TestSchemaEnumsAreTheGoOnes(t *testing.T) {
	b, _ := fs.ReadFile(schemas.FS, "delivery.requested.v1.json")
	var s struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Defs["parentalPeriod"].Properties["kind"].Enum; !slices.Equal(got, LeaveKinds) {
		t.Errorf("leave kinds %v, want %v", got, LeaveKinds)
	}
	kinds := s.Defs["citizenAnswerItem"].Properties["kind"].Enum
	for _, k := range []string{CitizenTaskComment, CitizenTaskApplication, CitizenTaskInformationForm, CitizenTaskSupplementaryInformation,
		CitizenTaskHearing, CitizenTaskMovingConsent, "recovery", "partial-resumption", "documentation"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("citizen kind %s missing from %v", k, kinds)
		}
	}
}
