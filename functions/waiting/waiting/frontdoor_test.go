package waiting_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/waiting/waiting"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// The seasonal employer of the synthetic registers: a company of its own,
// with no right to act for the demo employer (30000005).
const seasonalCVR = "19435075"

// reportFor is the example employer report naming cvr.
func reportFor(cvr string) json.RawMessage {
	return json.RawMessage(strings.Replace(string(exampleReport), `"30000005"`, `"`+cvr+`"`, 1))
}

// legacy stores a prepared blanket the way the old waiting function did
// (any submittable type, any data, only the login's company checked), so a
// submission of what is already held is checked too.
func (f *fixture) legacy(t *testing.T, ownerCVR, typ string, data json.RawMessage) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	if _, err := f.waitSvc.DB.Exec(context.Background(), `INSERT INTO prepared (id, cvr, blanket_type, payload, stream, due_date, status, created_by)
		VALUES ($1, $2, $3, $4, $5, '2024-03-01', 'held', 'legacy')`, id, ownerCVR, typ, []byte(data), id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) held(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.waitSvc.DB.QueryRow(context.Background(), `SELECT count(*) FROM prepared`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func payroll(cvr, onBehalfOf string, authTime time.Time) auth.Claims {
	return auth.Claims{Subject: "payroll-" + cvr, Role: auth.RolePayrollSystem, CVR: cvr, ClientID: "payroll-" + cvr, OnBehalfOf: onBehalfOf,
		LoA: auth.LoASubstantial, AuthTime: authTime.Unix()}
}

// Issue 16 (Critical, a): the seasonal employer filed a sickness report in
// the demo employer's name through the waiting function (delivered, the
// citizen got tasks). Preparing it is refused, and so is submitting one
// that is already held; nothing is published.
func TestSeasonalEmployerCannotReportInAnotherEmployersName(t *testing.T) {
	t.Parallel()
	f := start(t)
	seasonal := employerClaims(seasonalCVR, f.clock.Now())
	code, out := f.callAs(t, "POST", "/api/v1/prepared", seasonal, waiting.PrepareRequest{
		Type: events.SicknessEmployerReported, Data: reportFor("30000005"), DueDate: "2024-03-01"})
	if code != http.StatusForbidden || out["da"] == nil || out["en"] == nil {
		t.Fatalf("prepare in another's name: %d %v", code, out)
	}
	if n := f.held(t); n != 0 {
		t.Fatalf("%d prepared stored", n)
	}
	id := f.legacy(t, seasonalCVR, events.SicknessEmployerReported, reportFor("30000005"))
	if code, out := f.callAs(t, "POST", "/api/v1/prepared/"+id+"/submit", seasonal, nil); code != http.StatusForbidden {
		t.Fatalf("submit in another's name: %d %v", code, out)
	}
	// Changing a held blanket to another company's name is refused too.
	mine := f.legacy(t, seasonalCVR, events.SicknessEmployerReported, json.RawMessage(`{}`))
	if code, out := f.callAs(t, "PUT", "/api/v1/prepared/"+mine, seasonal, waiting.UpdateRequest{Data: reportFor("30000005")}); code != http.StatusForbidden {
		t.Fatalf("change to another's name: %d %v", code, out)
	}
	if n := outboxCount(t, f.waitSvc, events.SicknessEmployerReported); n != 0 {
		t.Fatalf("%d reports published", n)
	}
}

// Issue 16 (Critical, b): a payroll client did the same. It may prepare
// and submit only for the CVR it may act for: its own, or the one it acts
// on behalf of.
func TestPayrollClientReportsOnlyForACompanyItMayActFor(t *testing.T) {
	t.Parallel()
	f := start(t)
	own := payroll("12345674", "", f.clock.Now())
	if code, out := f.callAs(t, "POST", "/api/v1/prepared", own, waiting.PrepareRequest{
		Type: events.SicknessEmployerReported, Data: reportFor("30000005"), DueDate: "2024-03-01"}); code != http.StatusForbidden {
		t.Fatalf("payroll client for a company it does not act for: %d %v", code, out)
	}
	id := f.legacy(t, "12345674", events.SicknessEmployerReported, reportFor("30000005"))
	if code, out := f.callAs(t, "POST", "/api/v1/prepared/"+id+"/submit", own, nil); code != http.StatusForbidden {
		t.Fatalf("payroll client submits for a company it does not act for: %d %v", code, out)
	}
	if n := outboxCount(t, f.waitSvc, events.SicknessEmployerReported); n != 0 {
		t.Fatalf("%d reports published", n)
	}
	onBehalf := payroll("12345674", "30000005", f.clock.Now())
	code, out := f.callAs(t, "POST", "/api/v1/prepared", onBehalf, waiting.PrepareRequest{
		Type: events.SicknessEmployerReported, Data: reportFor("30000005"), DueDate: "2024-03-01"})
	if code != http.StatusCreated {
		t.Fatalf("payroll client on behalf of 30000005 prepares: %d %v", code, out)
	}
	if code, sent := f.callAs(t, "POST", "/api/v1/prepared/"+out["id"].(string)+"/submit", onBehalf, nil); code != http.StatusAccepted {
		t.Fatalf("payroll client on behalf of 30000005 submits: %d %v", code, sent)
	}
	if n := outboxCount(t, f.waitSvc, events.SicknessEmployerReported); n != 1 {
		t.Fatalf("%d reports published, want 1", n)
	}
}

// Issue 16 (Critical, c): a 545-s-old login submitted a prepared signed
// blanket. It gets 401 with the step-up challenge and nothing is published;
// the blanket stays held.
func TestStaleLoginSubmittingAPreparedBlanketMustLogInAgain(t *testing.T) {
	t.Parallel()
	f := start(t)
	code, out := f.call(t, "POST", "/api/v1/prepared", employerCVR, waiting.PrepareRequest{
		Type: events.SicknessEmployerReported, Data: exampleReport, DueDate: "2024-03-01"})
	if code != http.StatusCreated {
		t.Fatalf("prepare: %d %v", code, out)
	}
	id := out["id"].(string)
	stale := employerClaims(employerCVR, f.clock.Now().Add(-545*time.Second))
	req := func(c auth.Claims) (int, http.Header, map[string]any) {
		code, body := f.callAs(t, "POST", "/api/v1/prepared/"+id+"/submit", c, nil)
		return code, f.lastHeader, body
	}
	code, hdr, body := req(stale)
	if code != http.StatusUnauthorized || body["code"] != "login-too-old" || !strings.Contains(hdr.Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Fatalf("stale login: %d %v %v", code, hdr, body)
	}
	if n := outboxCount(t, f.waitSvc, events.SicknessEmployerReported); n != 0 {
		t.Fatalf("%d reports published", n)
	}
	if _, got := f.call(t, "GET", "/api/v1/prepared/"+id, employerCVR, nil); got["status"] != "held" {
		t.Fatalf("after the refusal: %v", got)
	}
	if code, _, body := req(employerClaims(employerCVR, f.clock.Now())); code != http.StatusAccepted {
		t.Fatalf("fresh login: %d %v", code, body)
	}
}

// Issue 16 (Critical, d): an employer planted a 999,999 kr refusion.decided
// "granted" on another employer's absence through a prepared form. Case
// systems' event types cannot be prepared or submitted by an employer.
func TestEmployerCannotPrepareOrSubmitCaseSystemEvents(t *testing.T) {
	t.Parallel()
	f := start(t)
	absence := uuid.NewString()
	decision, _ := json.Marshal(events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D-1", DecidedOn: "2024-06-03",
		Outcome: "granted", Periods: []events.DecidedPeriod{{From: "2024-04-03", To: "2024-04-30", AmountOre: 99_999_900}}})
	for _, typ := range events.FeedbackTypes {
		code, out := f.call(t, "POST", "/api/v1/prepared", employerCVR, waiting.PrepareRequest{Type: typ, Data: decision, DueDate: "2024-03-01", PartitionKey: absence})
		if code != http.StatusBadRequest || !strings.Contains(string(mustMarshal(out)), "not-preparable") {
			t.Errorf("prepare %s: %d %v", typ, code, out)
		}
	}
	if n := f.held(t); n != 0 {
		t.Fatalf("%d prepared stored", n)
	}
	id := f.legacy(t, employerCVR, events.RefusionDecided, decision)
	if code, out := f.call(t, "POST", "/api/v1/prepared/"+id+"/submit", employerCVR, nil); code != http.StatusForbidden {
		t.Fatalf("submit refusion.decided: %d %v", code, out)
	}
	if n := outboxCount(t, f.waitSvc, events.RefusionDecided); n != 0 {
		t.Fatalf("%d decisions published", n)
	}
}

// Issue 16 (High, f): absences created through prepared forms got no
// stream owner, so any tenant claimed one by posting a probe into it and
// the real owner was then refused its own recovery report. The prepared
// form's submission claims the absence's stream for the sender through the
// accept step intake uses too.
func TestPreparedFormAbsenceHasAnOwner(t *testing.T) {
	t.Parallel()
	f := start(t)
	code, out := f.call(t, "POST", "/api/v1/prepared", employerCVR, waiting.PrepareRequest{
		Type: events.SicknessEmployerReported, Data: exampleReport, DueDate: "2024-03-01"})
	if code != http.StatusCreated {
		t.Fatalf("prepare: %d %v", code, out)
	}
	code, sent := f.call(t, "POST", "/api/v1/prepared/"+out["id"].(string)+"/submit", employerCVR, nil)
	if code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, sent)
	}
	absence := sent["stream"].(string)
	// What intake does with the same accept step: another tenant's probe
	// into the absence is refused, the owner's recovery report accepted.
	submit := func(c auth.Claims, typ string, data []byte) error {
		p, err := c.Principal()
		if err != nil {
			t.Fatal(err)
		}
		return f.waitSvc.Do(context.Background(), nil, func(tx *runtime.Tx) error {
			_, err := f.front.Accept(context.Background(), tx, p, accept.Input{Type: typ, Source: "/t", ID: uuid.NewString(), Stream: absence, Data: data})
			return err
		})
	}
	var d accept.Denied
	if err := submit(employerClaims(seasonalCVR, f.clock.Now()), events.ProbeRequested, []byte(`{"note":"mine now"}`)); !errors.As(err, &d) || d.Reason != "tenant" {
		t.Fatalf("another tenant's probe into the prepared form's absence: %v", err)
	}
	recovery, _ := json.Marshal(events.SicknessRecoveryReport{AbsenceID: absence, CVR: employerCVR, LastAbsenceDay: "2024-03-10"})
	if err := submit(employerClaims(employerCVR, f.clock.Now()), events.SicknessRecoveryReported, recovery); err != nil {
		t.Fatalf("the owner's recovery report: %v", err)
	}
}

// Issue 16 (Low, i): invalid UTF-8 in prepared data gave 500; now 400 with
// a clear error, and nothing is stored.
func TestInvalidUTF8InPreparedDataIs400(t *testing.T) {
	t.Parallel()
	f := start(t)
	body := []byte(`{"type":"` + events.SicknessEmployerReported + `","dueDate":"2024-03-20","data":{"cvr":"30000005","contact":{"name":"` + "\xff\xfe" + `"}}}`)
	code, out := f.callAs(t, "POST", "/api/v1/prepared", employerClaims(employerCVR, f.clock.Now()), body)
	if code != http.StatusBadRequest || out["da"] == nil || out["en"] == nil {
		t.Fatalf("create with invalid UTF-8: %d %v", code, out)
	}
	code, created := f.call(t, "POST", "/api/v1/prepared", employerCVR, waiting.PrepareRequest{
		Type: events.SicknessEmployerReported, Data: json.RawMessage(`{"cvr":"30000005"}`), DueDate: "2024-03-20"})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, created)
	}
	body = []byte(`{"data":{"cvr":"30000005","contact":{"name":"` + "\xc3\x28" + `"}}}`)
	if code, out := f.callAs(t, "PUT", "/api/v1/prepared/"+created["id"].(string), employerClaims(employerCVR, f.clock.Now()), body); code != http.StatusBadRequest {
		t.Fatalf("change with invalid UTF-8: %d %v", code, out)
	}
	if n := f.held(t); n != 1 {
		t.Fatalf("%d prepared stored, want the valid one", n)
	}
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
