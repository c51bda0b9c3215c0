package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/tests/stack"
)

// dlvToken mints a token for claims from the stack's development issuer.
func dlvToken(t *testing.T, c auth.Claims) string {
	t.Helper()
	tok, err := stack.Issuer().Mint(c, devissuer.MintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func dlvCaseSystem(m string) auth.Claims {
	return auth.Claims{Subject: "e2e-ksd-" + m, Role: auth.RoleCaseSystem, Municipality: m, ClientID: "e2e-ksd-" + m}
}

func dlvEmployer(cvr string) auth.Claims {
	return auth.Claims{Subject: "e2e-emp-" + cvr, Role: auth.RoleEmployer, CVR: cvr, Rights: []string{auth.RightNemRefusion}, LoA: auth.LoASubstantial}
}

// dlvPublish posts an event to the broker ingress, as a producing function's
// publisher does.
func dlvPublish(t *testing.T, eventType, key string, data any) {
	t.Helper()
	ev, err := events.New(eventType, "e2e", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, stack.Get().BrokerURL(), nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("broker ingress: %d", resp.StatusCode)
	}
}

// dlvPayload is p as a delivery item's payload (events.MarshalPayload), so
// a published delivery.requested fits its schema.
func dlvPayload(t *testing.T, p events.DeliveryPayload) json.RawMessage {
	t.Helper()
	b, err := events.MarshalPayload(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dlvReport is the payload of an employer's first report of absence (first
// day 4 March 2024) as the blanket pipeline delivers it: the submission
// with the sickness rules' result.
func dlvReport(t *testing.T, absence, cvr string) json.RawMessage {
	t.Helper()
	from, to, refusionFrom := "2024-03-04", "2024-04-02", "2024-04-03"
	return dlvPayload(t, events.BlanketItem{Blanket: events.SicknessEmployerReported, Receipt: "NR-2024-00000001", Version: 1, Status: "reported",
		Submission: json.RawMessage(`{"cpr": "1203854321", "cvr": "` + cvr + `", "pNumber": "1000000001", "firstAbsenceDay": "2024-03-04",
			"weeklyHours": 37, "wagesPaid": true, "hourlyEarnings": 200.0, "employedSince": "2020-01-01", "pregnancyRelated": false, "flexjob": false,
			"contact": {"name": "Lone Løn", "phone": "+4512345678", "email": "loen@example.dk"}}`),
		Result: events.SicknessResult{AbsenceID: absence, Status: "reported", FirstAbsenceDay: from,
			Refusion: &events.SicknessRefusion{EmployerPeriod: events.EmployerPeriod{Applies: true, From: &from, To: &to},
				RefusionFrom: &refusionFrom, ReportDeadline: "2024-05-07", MaxHourlyRate: 12689, HourlyRate: 12689, WeeklyAmount: 469493}},
		Reasons: []events.Reason{{Rule: "sdl-30-1", Law: "sygedagpengeloven § 30, stk. 1",
			TextDa: "Arbejdsgiverperioden er 4. marts 2024–2. april 2024.", TextEn: "The employer period is 4 March 2024–2 April 2024."}}})
}

// dlvSubmit posts feedback through intake as a case system would and
// requires 202.
func dlvSubmit(t *testing.T, c auth.Claims, eventType, key string, data any) {
	t.Helper()
	if code, body := dlvPost(t, c, eventType, key, data); code != http.StatusAccepted {
		t.Fatalf("intake refused %s: %d %s", eventType, code, body)
	}
}

// dlvDeliveredTo waits until intake has recorded (from delivery.requested)
// that absence was delivered to the recipient tenant: only then does it
// accept that recipient's feedback.
func dlvDeliveredTo(t *testing.T, absence, tenant string) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	dlvEventually(t, "intake knows the absence's recipient", 20*time.Second, func() bool {
		var ok bool
		_ = pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM accept.stream_recipients WHERE stream = $1 AND tenant = $2)`, absence, tenant).Scan(&ok)
		return ok
	})
}

// dlvPost posts feedback through intake as a case system would and returns
// the status and the body.
func dlvPost(t *testing.T, c auth.Claims, eventType, key string, data any) (int, string) {
	t.Helper()
	ev, err := events.New(eventType, "/ksd/e2e", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.SetSource("/ksd/" + c.Municipality)
	b, _ := json.Marshal(ev)
	req, _ := http.NewRequest(http.MethodPost, stack.Get().URL()+"/api/v1/events", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", "Bearer "+dlvToken(t, c))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// dlvCall calls the public origin with c's token and decodes a 2xx answer.
func dlvCall(t *testing.T, c auth.Claims, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, stack.Get().URL()+path, rd)
	req.Header.Set("Authorization", "Bearer "+dlvToken(t, c))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func dlvEventually(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type dlvPage struct {
	Items  []events.DeliveryItemData `json:"items"`
	Cursor string                    `json:"cursor"`
}

type dlvView struct {
	CaseNumber     string `json:"caseNumber"`
	Status         string `json:"status"`
	Decisions      []any  `json:"decisions"`
	Payments       []any  `json:"payments"`
	Reconciliation struct {
		Differences int `json:"differences"`
		Periods     []struct {
			From  string `json:"from"`
			Flags []struct {
				Code          string `json:"code"`
				DifferenceOre int64  `json:"differenceOre"`
			} `json:"flags"`
		} `json:"periods"`
	} `json:"reconciliation"`
}

// recordingSink records pushed delivery items; it fails its first
// failures requests.
type recordingSink struct {
	mu       sync.Mutex
	failures int
	requests int
	accepted []events.DeliveryItemData
}

func (s *recordingSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil || ev.Type() != events.DeliveryItem {
		http.Error(w, "not a delivery item", http.StatusBadRequest)
		return
	}
	var it events.DeliveryItemData
	if err := ev.DataAs(&it); err != nil {
		http.Error(w, "bad data", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.failures > 0 {
		s.failures--
		http.Error(w, "case system down", http.StatusServiceUnavailable)
		return
	}
	s.accepted = append(s.accepted, it)
	w.WriteHeader(http.StatusOK)
}

func (s *recordingSink) items() []events.DeliveryItemData {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]events.DeliveryItemData(nil), s.accepted...)
}

// An employer's report reaches municipality 101's fetch; 101's case number,
// decision and payments come back to the employer's reconciliation view
// with the one deliberate difference flagged; a recovery reaches 101, which
// looked the absence up in the data foundation, through its push sink; and
// municipality 147 sees none of it.
func TestDeliveryFeedbackAndDataFoundationEndToEnd(t *testing.T) {
	absence := uuid.Must(uuid.NewV7()).String()
	const cvr, otherCVR = "12345674", "12345682"
	cs101, cs147, emp := dlvCaseSystem("101"), dlvCaseSystem("147"), dlvEmployer(cvr)

	dlvPublish(t, events.DeliveryRequested, absence, events.DeliveryRequest{ItemID: absence + "/report/1", Recipient: "101", Kind: "sickness.report",
		CaseRef: absence, Sender: cvr, Payload: dlvReport(t, absence, cvr)})
	dlvPublish(t, events.RefusionExpected, absence, events.RefusionExpectation{AbsenceID: absence, SenderCVR: cvr, Recipient: "101", ComputedAt: "2024-04-10T08:00:00Z",
		Periods: []events.ExpectedPeriod{{From: "2024-04-03", To: "2024-04-30", AmountOre: 1_523_400}, {From: "2024-05-01", To: "2024-05-31", AmountOre: 1_700_000}}})
	dlvPublish(t, events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "sick", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04", RegisteredOn: "2024-03-20", Reporter: "employer"})

	// 101 fetches the report and acknowledges it.
	var page dlvPage
	dlvEventually(t, "the report in 101's stream", 20*time.Second, func() bool {
		page = dlvPage{}
		dlvCall(t, cs101, "GET", "/api/v1/deliveries/101", nil, &page)
		for _, it := range page.Items {
			if it.CaseRef == absence {
				return true
			}
		}
		return false
	})
	if code := dlvCall(t, cs101, "POST", "/api/v1/deliveries/101/ack", map[string]string{"cursor": page.Cursor}, nil); code != http.StatusOK {
		t.Fatalf("ack: %d", code)
	}

	// 147 sees none of it.
	if code := dlvCall(t, cs147, "GET", "/api/v1/deliveries/101", nil, nil); code != http.StatusForbidden {
		t.Fatalf("147 fetched 101's stream: %d", code)
	}
	var page147 dlvPage
	dlvCall(t, cs147, "GET", "/api/v1/deliveries/147?after=0", nil, &page147)
	for _, it := range page147.Items {
		if it.CaseRef == absence {
			t.Fatalf("147's stream holds 101's absence: %+v", it)
		}
	}
	if code := dlvCall(t, cs147, "GET", "/api/v1/dfdg/absences/"+absence, nil, nil); code != http.StatusNotFound {
		t.Fatalf("147 looked up the absence: %d", code)
	}

	// 101 looks the absence up in the data foundation (no recovery yet:
	// subscribed) and registers a push sink.
	var look struct {
		FirstAbsenceDay string `json:"firstAbsenceDay"`
		Subscribed      bool   `json:"subscribed"`
	}
	dlvEventually(t, "the sick notice", 20*time.Second, func() bool {
		return dlvCall(t, cs101, "GET", "/api/v1/dfdg/absences/"+absence, nil, &look) == http.StatusOK && look.FirstAbsenceDay == "2024-03-04"
	})
	if !look.Subscribed {
		t.Fatalf("lookup without recovery did not subscribe: %+v", look)
	}
	sink := &recordingSink{}
	ss := stack.PushSink(sink)
	defer ss.Close()
	if code := dlvCall(t, cs101, "PUT", "/api/v1/deliveries/101/sink", map[string]string{"url": ss.URL}, nil); code != http.StatusOK {
		t.Fatalf("register sink: %d", code)
	}

	// 101's case system sends feedback through intake: case number,
	// decision (May 1,200 kr lower than expected), payments.
	dlvDeliveredTo(t, absence, "municipality:101")
	dlvSubmit(t, cs101, events.CaseRegistered, absence, events.CaseRegistration{AbsenceID: absence, Recipient: "101", CaseNumber: "KBH-2024-000777", RegisteredOn: "2024-04-11"})
	dlvSubmit(t, cs101, events.RefusionDecided, absence, events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D-1", DecidedOn: "2024-06-03", Outcome: "partly-granted",
		Periods: []events.DecidedPeriod{{From: "2024-04-03", To: "2024-04-30", AmountOre: 1_523_400}, {From: "2024-05-01", To: "2024-05-31", AmountOre: 1_580_000}}})
	dlvSubmit(t, cs101, events.PaymentMade, absence, events.Payment{AbsenceID: absence, Recipient: "101", PaymentReference: "UDB-1", AmountOre: 1_523_400, PeriodFrom: "2024-04-03", PeriodTo: "2024-04-30", PaidOn: "2024-06-05"})
	dlvSubmit(t, cs101, events.PaymentMade, absence, events.Payment{AbsenceID: absence, Recipient: "101", PaymentReference: "UDB-2", AmountOre: 1_580_000, PeriodFrom: "2024-05-01", PeriodTo: "2024-05-31", PaidOn: "2024-06-05"})
	// 147 tries to put its own case number on 101's absence (naming 101,
	// or itself): intake refuses it (the absence was not delivered to 147).
	for _, r := range []string{"101", "147"} {
		if code, body := dlvPost(t, cs147, events.CaseRegistered, absence, events.CaseRegistration{AbsenceID: absence, Recipient: r, CaseNumber: "FRB-FORGED", RegisteredOn: "2024-04-12"}); code != http.StatusForbidden {
			t.Fatalf("147's case registration naming %s: %d %s", r, code, body)
		}
	}

	var v dlvView
	dlvEventually(t, "decision and payments in the employer's view", 20*time.Second, func() bool {
		v = dlvView{}
		return dlvCall(t, emp, "GET", "/api/v1/feedback/absences/"+absence, nil, &v) == http.StatusOK && len(v.Decisions) == 1 && len(v.Payments) == 2 && v.CaseNumber != ""
	})
	if v.CaseNumber != "KBH-2024-000777" {
		t.Fatalf("case number %q", v.CaseNumber)
	}
	r := v.Reconciliation
	if r.Differences != 1 || len(r.Periods) != 2 || len(r.Periods[0].Flags) != 0 || len(r.Periods[1].Flags) != 1 ||
		r.Periods[1].Flags[0].Code != "decided-differs-from-expected" || r.Periods[1].Flags[0].DifferenceOre != -120_000 {
		t.Fatalf("reconciliation: %+v", r)
	}
	if code := dlvCall(t, dlvEmployer(otherCVR), "GET", "/api/v1/feedback/absences/"+absence, nil, nil); code != http.StatusNotFound {
		t.Fatalf("another employer saw the feedback: %d", code)
	}
	if code := dlvCall(t, cs147, "GET", "/api/v1/feedback/absences/"+absence, nil, nil); code != http.StatusForbidden && code != http.StatusNotFound {
		t.Fatalf("147 saw the feedback: %d", code)
	}

	// The recovery reaches 101 through its push sink.
	dlvPublish(t, events.DfdgNoticeRequested, absence, events.DfdgNotice{Kind: "recovery", AbsenceID: absence, CPR: "1203854321", FirstAbsenceDay: "2024-03-04",
		LastAbsenceDay: "2024-04-19", RegisteredOn: "2024-04-22", Reporter: "employer"})
	var rec events.DfdgRecovery
	dlvEventually(t, "the recovery at 101's sink", 20*time.Second, func() bool {
		for _, it := range sink.items() {
			if it.Kind == events.DfdgRecoveryKind && it.CaseRef == absence {
				return json.Unmarshal(it.Payload, &rec) == nil
			}
		}
		return false
	})
	if rec.LastAbsenceDay != "2024-04-19" || rec.RecoveryRegisteredOn != "2024-04-22" || rec.AbsenceID != absence {
		t.Fatalf("recovery: %+v", rec)
	}
	for _, it := range sink.items() {
		if it.ItemID == absence+"/report/1" {
			t.Fatal("the acknowledged report was pushed again")
		}
	}
	// Still nothing for 147.
	page147 = dlvPage{}
	dlvCall(t, cs147, "GET", "/api/v1/deliveries/147?after=0", nil, &page147)
	for _, it := range page147.Items {
		if it.CaseRef == absence {
			t.Fatalf("147's stream holds 101's absence: %+v", it)
		}
	}
	// The ledger shows the delivery to 101 in the absence's stream.
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	recs, err := ledger.Stream(context.Background(), pool, absence, 1000)
	if err != nil {
		t.Fatal(err)
	}
	delivered := 0
	for _, e := range recs {
		if e.EventType == events.DeliveryDelivered {
			delivered++
		}
	}
	if delivered < 2 {
		t.Fatalf("%d delivered entries in the absence's ledger stream, want the fetch and the pushed recovery", delivered)
	}
}

// A push sink that fails for a while still gets every item once, in order.
func TestDeliveryPushSinkThatFailsForAWhile(t *testing.T) {
	const rcpt = "151"
	cs := dlvCaseSystem(rcpt)
	sink := &recordingSink{failures: 3}
	ss := stack.PushSink(sink)
	defer ss.Close()
	// Start after whatever is already in the stream.
	var page dlvPage
	dlvCall(t, cs, "GET", "/api/v1/deliveries/"+rcpt+"?after=0&limit=1000", nil, &page)
	if page.Cursor != "0" && page.Cursor != "" {
		dlvCall(t, cs, "POST", "/api/v1/deliveries/"+rcpt+"/ack", map[string]string{"cursor": page.Cursor}, nil)
	}
	if code := dlvCall(t, cs, "PUT", "/api/v1/deliveries/"+rcpt+"/sink", map[string]string{"url": ss.URL}, nil); code != http.StatusOK {
		t.Fatalf("register sink: %d", code)
	}
	const n = 8
	want := map[string]bool{}
	for i := 1; i <= n; i++ {
		absence := uuid.Must(uuid.NewV7()).String()
		id := fmt.Sprintf("%s/report/%d", absence, i)
		want[id] = true
		dlvPublish(t, events.DeliveryRequested, absence, events.DeliveryRequest{ItemID: id, Recipient: rcpt, Kind: "sickness.report", CaseRef: absence, Sender: "12345674", Payload: dlvReport(t, absence, "12345674")})
	}
	dlvEventually(t, "every item at the sink", 60*time.Second, func() bool { return len(sink.items()) >= n })
	time.Sleep(500 * time.Millisecond)
	got := sink.items()
	if len(got) != n {
		t.Fatalf("sink accepted %d items, want %d", len(got), n)
	}
	for i, it := range got {
		if !want[it.ItemID] {
			t.Fatalf("unexpected or repeated item %s", it.ItemID)
		}
		delete(want, it.ItemID)
		if i > 0 && it.Seq != got[i-1].Seq+1 {
			t.Fatalf("out of order: seq %d after %d", it.Seq, got[i-1].Seq)
		}
	}
	sink.mu.Lock()
	requests := sink.requests
	sink.mu.Unlock()
	if requests != n+3 {
		t.Fatalf("%d requests, want %d accepted + 3 failed", requests, n)
	}
}
