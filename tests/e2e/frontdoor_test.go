package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// fdCall calls the public origin with the bearer token tok and a JSON
// body, and returns the status, the WWW-Authenticate header and the answer.
func fdCall(t *testing.T, tok, method, path string, body any) (int, string, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, stack.Get().URL()+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), out
}

// fdPersonaToken mints a token of persona logged in age ago.
func fdPersonaToken(t *testing.T, persona string, age time.Duration) string {
	t.Helper()
	p, ok := devissuer.PersonaByKey(persona)
	if !ok {
		t.Fatalf("no persona %s", persona)
	}
	c := p.Claims
	c.AuthTime = time.Now().Add(-age).Unix()
	return dlvToken(t, c)
}

func fdStreamEntries(t *testing.T, stream string) int {
	t.Helper()
	var n int
	if err := db(t).QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = $1`, stream).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The front door (issue 16, Critical and High): every way in that turns
// user input into an event goes through one accept step. Through the
// waiting function's prepared blankets, on the whole stack: the seasonal
// employer and a payroll client cannot report in the demo employer's name,
// a stale login must log in again to sign, an employer cannot prepare a
// case system's decision; a prepared form's absence belongs to its sender,
// so another company's probe into it is refused while the owner's recovery
// is accepted; and only the case system of the municipality the absence
// was delivered to may post feedback into it, never into the read log.
func TestFrontDoorOnePolicyForEveryWayIn(t *testing.T) {
	report := employeeReport(t, time.Now().AddDate(0, 0, -5))
	due := time.Now().Format(time.DateOnly)
	prepare := func(tok string, typ string, data any) (int, map[string]any) {
		code, _, out := fdCall(t, tok, "POST", "/api/v1/prepared", map[string]any{"type": typ, "data": data, "dueDate": due})
		return code, out
	}

	// Another company, a payroll client of another company: 403.
	for _, persona := range []string{devissuer.PersonaEmployerSeasonal, devissuer.PersonaPayrollSeasonal} {
		if code, out := prepare(fdPersonaToken(t, persona, 0), events.SicknessEmployerReported, report); code != http.StatusForbidden {
			t.Fatalf("%s prepares a report in the demo employer's name: %d %v", persona, code, out)
		}
	}
	// A case system's decision cannot be prepared by an employer.
	emp := fdPersonaToken(t, devissuer.PersonaEmployer, 0)
	absenceOther := uuid.NewString()
	decision := events.RefusionDecision{AbsenceID: absenceOther, Recipient: "101", DecisionID: "D-1", DecidedOn: "2024-06-03", Outcome: "granted",
		Periods: []events.DecidedPeriod{{From: "2024-04-03", To: "2024-04-30", AmountOre: 99_999_900}}}
	if code, out := prepare(emp, events.RefusionDecided, decision); code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out), "not-preparable") {
		t.Fatalf("an employer prepares refusion.decided: %d %v", code, out)
	}

	// The demo employer prepares its own report; an old login must log in
	// again to send it, and nothing reaches the ledger.
	code, prepared := prepare(emp, events.SicknessEmployerReported, report)
	if code != http.StatusCreated {
		t.Fatalf("prepare: %d %v", code, prepared)
	}
	id := prepared["id"].(string)
	code, www, out := fdCall(t, fdPersonaToken(t, devissuer.PersonaEmployer, 545*time.Second), "POST", "/api/v1/prepared/"+id+"/submit", nil)
	if code != http.StatusUnauthorized || !strings.Contains(www, "insufficient_user_authentication") || out["code"] != "login-too-old" {
		t.Fatalf("a 545-s-old login sends a signed blanket: %d %q %v", code, www, out)
	}
	before := fdStreamEntries(t, id)
	code, _, sent := fdCall(t, fdPersonaToken(t, devissuer.PersonaEmployer, 0), "POST", "/api/v1/prepared/"+id+"/submit", nil)
	if code != http.StatusAccepted {
		t.Fatalf("send with a fresh login: %d %v", code, sent)
	}
	absence := sent["stream"].(string)
	if n := fdStreamEntries(t, absence); n <= before {
		t.Fatalf("the sent report is not in the absence's ledger stream (%d entries)", n)
	}

	// The absence is the sender's: another company's probe is refused, the
	// owner's recovery report through intake is accepted.
	if code, out := postEventAs(t, fdPersonaToken(t, devissuer.PersonaEmployerSeasonal, 0), probe(absence)); code != http.StatusForbidden {
		t.Fatalf("another company's probe into the prepared form's absence: %d %v", code, out)
	}
	rec := map[string]any{"specversion": "1.0", "type": events.SicknessRecoveryReported, "source": "/e2e/frontdoor", "id": uuid.NewString(),
		"partitionkey": absence, "datacontenttype": "application/json",
		"data": events.SicknessRecoveryReport{AbsenceID: absence, CVR: report.CVR, LastAbsenceDay: time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}}
	b, _ := json.Marshal(rec)
	if code, out := postEventAs(t, fdPersonaToken(t, devissuer.PersonaEmployer, 0), string(b)); code != http.StatusAccepted {
		t.Fatalf("the owner's recovery report: %d %v", code, out)
	}

	// The report went to København: Aarhus' case system may not post into
	// it, nor anyone into its read log; København's may.
	dlvDeliveredTo(t, absence, "municipality:101")
	reg := func(recipient, stream string) events.CaseRegistration {
		return events.CaseRegistration{AbsenceID: stream, Recipient: recipient, CaseNumber: "K-" + recipient, RegisteredOn: time.Now().Format(time.DateOnly)}
	}
	aarhus, kbh := dlvCaseSystem("751"), dlvCaseSystem("101")
	for name, try := range map[string]struct {
		c      auth.Claims
		stream string
		data   events.CaseRegistration
	}{
		"Aarhus, naming itself":         {aarhus, absence, reg("751", absence)},
		"Aarhus, naming København":      {aarhus, absence, reg("101", absence)},
		"København, into the read log":  {kbh, auth.ReadStream(absence), reg("101", auth.ReadStream(absence))},
		"København, into access-denied": {kbh, auth.StreamAccessDenied, reg("101", auth.StreamAccessDenied)},
	} {
		if code, body := dlvPost(t, try.c, events.CaseRegistered, try.stream, try.data); code != http.StatusForbidden {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	dlvSubmit(t, kbh, events.CaseRegistered, absence, reg("101", absence))
}
