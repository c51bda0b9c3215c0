package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/intake/intake"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// door is intake on a fresh schema with an accept step of its own.
type door struct {
	k     *runtimetest.Kit
	front *accept.Front
}

func startDoor(t *testing.T) *door {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "intake", Migrations: intake.Migrations()})
	front, err := accept.New(context.Background(), k.Svc, accept.Options{Schema: fmt.Sprintf("accept_i%d", rand.Uint32())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = k.Svc.DB.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+front.Schema()+" CASCADE") })
	v := k.Verifier(t)
	v.Log = k.Svc.Log
	intake.Register(k.Svc, v, front)
	return &door{k: k, front: front}
}

// post submits a structured CloudEvent as c and returns the status and the
// decoded answer.
func (d *door) post(t *testing.T, c auth.Claims, ev map[string]any) (int, map[string]any) {
	t.Helper()
	r := d.raw(t, c, mustJSON(t, ev))
	var out map[string]any
	_ = json.Unmarshal(r.Body, &out)
	return r.Status, out
}

// raw posts body as a structured CloudEvent as c.
func (d *door) raw(t *testing.T, c auth.Claims, body []byte) runtimetest.Reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, d.k.URL()+"/api/v1/events", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", "Bearer "+d.k.Token(t, c))
	return d.k.Do(t, req)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func event(typ, stream string, data any) map[string]any {
	ev := map[string]any{"specversion": "1.0", "type": typ, "source": "/test", "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data}
	if stream != "" {
		ev["partitionkey"] = stream
	}
	return ev
}

// delivered records, as intake's Trigger on delivery.requested does, that
// absence was delivered to recipient by sender (a CVR).
func (d *door) delivered(t *testing.T, absence, recipient, sender string) {
	t.Helper()
	ev := runtimetest.Delivered(t, absence, recipient, sender)
	if err := d.k.Svc.Do(context.Background(), &ev, func(tx *runtime.Tx) error {
		return d.front.OnDeliveryRequested(context.Background(), tx, ev)
	}); err != nil {
		t.Fatal(err)
	}
}

func caseSystem(m string) auth.Claims {
	return auth.Claims{Subject: "ksd-" + m, Role: auth.RoleCaseSystem, Municipality: m, ClientID: "ksd-" + m}
}

func employer(cvr string) auth.Claims {
	return auth.Claims{Subject: "emp-" + cvr, Role: auth.RoleEmployer, CVR: cvr, Rights: []string{auth.RightNemRefusion}, LoA: auth.LoASubstantial}
}

func (d *door) denials(t *testing.T) int {
	t.Helper()
	recs, err := ledger.Stream(context.Background(), d.k.Svc.DB, auth.StreamAccessDenied, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func (d *door) published(t *testing.T, stream string) []runtimetest.Emitted {
	t.Helper()
	return d.k.Outbox(t, stream)
}

// Issue 16 (Medium): any municipality's case system or UDK could write into
// any ledger stream, including other municipalities' absences and the
// reserved reads/… and access-denied streams. Now feedback is accepted only
// from the recipient the absence was delivered to, naming itself, never
// into a new stream, and nobody writes into a reserved stream.
func TestCaseSystemPostsOnlyIntoAbsencesDeliveredToIt(t *testing.T) {
	t.Parallel()
	d := startDoor(t)
	absence := uuid.NewString()
	d.delivered(t, absence, "101", "30000005")
	reg := func(recipient, stream string) map[string]any {
		return event(events.CaseRegistered, stream, events.CaseRegistration{AbsenceID: stream, Recipient: recipient, CaseNumber: "K-1", RegisteredOn: "2024-04-11"})
	}
	before := d.denials(t)
	for name, try := range map[string]struct {
		c  auth.Claims
		ev map[string]any
	}{
		"Aarhus into København's absence":   {caseSystem("751"), reg("751", absence)},
		"Aarhus naming København":           {caseSystem("751"), reg("101", absence)},
		"UDK into København's absence":      {auth.Claims{Subject: "udk-1", Role: auth.RoleUDKCaseworker}, reg("UDK", absence)},
		"København into a stream not its":   {caseSystem("101"), reg("101", uuid.NewString())},
		"København into the read log":       {caseSystem("101"), reg("101", auth.ReadStream(absence))},
		"København into access-denied":      {caseSystem("101"), reg("101", auth.StreamAccessDenied)},
		"København into ledger-checkpoints": {caseSystem("101"), reg("101", "ledger-checkpoints")},
		"an employer planting a decision":   {employer("30000005"), event(events.RefusionDecided, absence, events.RefusionDecision{AbsenceID: absence, Recipient: "101", DecisionID: "D", DecidedOn: "2024-06-03", Outcome: "granted", Periods: []events.DecidedPeriod{{From: "2024-04-03", To: "2024-04-30", AmountOre: 99_999_900}}})},
		"a probe into the read log":         {employer("30000005"), event(events.ProbeRequested, auth.ReadStream(absence), map[string]string{"note": "x"})},
		"a probe into access-denied":        {caseSystem("101"), event(events.ProbeRequested, auth.StreamAccessDenied, map[string]string{"note": "x"})},
		"København naming another absence":  {caseSystem("101"), event(events.CaseRegistered, absence, events.CaseRegistration{AbsenceID: uuid.NewString(), Recipient: "101", CaseNumber: "K", RegisteredOn: "2024-04-11"})},
	} {
		code, out := d.post(t, try.c, try.ev)
		if code != http.StatusForbidden && code != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 403 (or 400 for a stream the data contradicts)", name, code, out)
		}
	}
	if n := d.denials(t) - before; n < 10 {
		t.Errorf("%d denials recorded, want one per refusal", n)
	}
	for _, s := range []string{absence, auth.ReadStream(absence)} {
		if out := d.published(t, s); len(out) != 0 {
			t.Fatalf("refused feedback published in %s: %v", s, out)
		}
	}
	code, out := d.post(t, caseSystem("101"), reg("101", absence))
	if code != http.StatusAccepted {
		t.Fatalf("København's own case registration: %d %v", code, out)
	}
	got := d.published(t, absence)
	if len(got) != 1 || got[0].Type != events.CaseRegistered {
		t.Fatalf("published %v", got)
	}
}

// Issue 16 (Low): a duplicate CloudEvent id with different data got 202
// and the old receipt, the new data silently dropped. The same event again
// still gets the same receipt; the same source and id with other data gets
// 409 in Danish and English and changes nothing.
func TestDuplicateIDWithDifferentDataIsAConflict(t *testing.T) {
	t.Parallel()
	d := startDoor(t)
	stream := "dup-" + uuid.NewString()
	ev := event(events.ProbeRequested, stream, map[string]string{"note": "first"})
	c := employer("30000005")
	code, first := d.post(t, c, ev)
	if code != http.StatusAccepted {
		t.Fatalf("first: %d %v", code, first)
	}
	if code, again := d.post(t, c, ev); code != http.StatusAccepted || again["receipt"] != first["receipt"] {
		t.Fatalf("the same event again: %d %v, first %v", code, again, first)
	}
	ev["data"] = map[string]string{"note": "second"}
	code, conflict := d.post(t, c, ev)
	if code != http.StatusConflict || conflict["code"] != "id-reused" || conflict["da"] == "" || conflict["en"] == "" {
		t.Fatalf("other data under the same id: %d %v", code, conflict)
	}
	if n := len(d.published(t, stream)); n != 1 {
		t.Fatalf("%d events published, want the first only", n)
	}
}

// Issue 16 (Low): receipt numbers were sequential (NR-2026-00000001, …), so
// one receipt told how many submissions there were and guessed others.
func TestReceiptNumbersAreNotSequential(t *testing.T) {
	t.Parallel()
	d := startDoor(t)
	seen := map[string]bool{}
	var last string
	for range 5 {
		code, out := d.post(t, employer("30000005"), event(events.ProbeRequested, "rc-"+uuid.NewString(), map[string]string{"note": "x"}))
		r, _ := out["receipt"].(string)
		if code != http.StatusAccepted || !accept.ReceiptPattern.MatchString(r) || !strings.HasPrefix(r, fmt.Sprintf("NR-%d-", time.Now().Year())) {
			t.Fatalf("receipt %d %q", code, r)
		}
		if seen[r] || (last != "" && strings.TrimLeft(r[8:], "0") == strings.TrimLeft(last[8:], "0")) {
			t.Fatalf("receipt %q repeats", r)
		}
		seen[r], last = true, r
	}
}

// Issue 16 (Low): invalid UTF-8 in submitted data was stored; now it is a
// 400 naming the data, in Danish and English.
func TestInvalidUTF8DataIsRefused(t *testing.T) {
	t.Parallel()
	d := startDoor(t)
	body := []byte("{\"specversion\":\"1.0\",\"type\":\"" + events.ProbeRequested + "\",\"source\":\"/t\",\"id\":\"" + uuid.NewString() +
		"\",\"partitionkey\":\"u-" + uuid.NewString() + "\",\"datacontenttype\":\"application/json\",\"data\":{\"note\":\"\xff\xfe\"}}")
	r := d.raw(t, employer("30000005"), body)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("invalid UTF-8: %d %s", r.Status, r.Body)
	}
}

// The stamps every consumer checks are set from the login, whatever the
// sender put in its event.
func TestIntakeStampsWhoSubmitted(t *testing.T) {
	t.Parallel()
	d := startDoor(t)
	ex, err := os.ReadFile("../../../schemas/examples/sickness.employer.reported.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	stream := uuid.NewString()
	ev := event(events.SicknessEmployerReported, stream, json.RawMessage(ex))
	ev["tenant"], ev["actorrole"] = "cvr:19435075", "admin"
	if code, out := d.post(t, employer("30000005"), ev); code != http.StatusAccepted {
		t.Fatalf("report: %d %v", code, out)
	}
	var raw []byte
	if err := d.k.Svc.DB.QueryRow(context.Background(), `SELECT event FROM outbox WHERE partition_key = $1`, stream).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var out cloudevents.Event
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if events.Str(out, events.ExtTenant) != "cvr:30000005" || events.Str(out, events.ExtActorRole) != "employer" ||
		events.Str(out, events.ExtActor) != "emp-30000005" || events.Str(out, events.ExtSigned) != "true" {
		t.Fatalf("stamps %v", out.Extensions())
	}
}
