package accept_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

var now = time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)

var exampleReport = func() []byte {
	b, err := os.ReadFile("../../schemas/examples/sickness.employer.reported.v1.json")
	if err != nil {
		panic(err)
	}
	return b
}()

func principal(t *testing.T, c auth.Claims) auth.Principal {
	t.Helper()
	if c.Subject == "" {
		c.Subject = "s-" + string(c.Role)
	}
	p, err := c.Principal()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func employer(cvr string, authTime time.Time) auth.Claims {
	return auth.Claims{Role: auth.RoleEmployer, CVR: cvr, Rights: []string{auth.RightNemRefusion}, LoA: auth.LoASubstantial, AuthTime: authTime.Unix()}
}

type kit struct {
	k     *runtimetest.Kit
	front *accept.Front
}

func start(t *testing.T) *kit {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "accept"})
	front, err := accept.New(context.Background(), k.Svc, accept.Options{Schema: fmt.Sprintf("accept_u%d", rand.Uint32()),
		SigningMaxAge: 5 * time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = k.Svc.DB.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+front.Schema()+" CASCADE") })
	return &kit{k: k, front: front}
}

func (k *kit) accept(p auth.Principal, in accept.Input) (accept.Receipt, error) {
	var rc accept.Receipt
	err := k.k.Svc.Do(context.Background(), nil, func(tx *runtime.Tx) error {
		var err error
		rc, err = k.front.Accept(context.Background(), tx, p, in)
		return err
	})
	return rc, err
}

func (k *kit) delivered(t *testing.T, stream, recipient, sender string) {
	t.Helper()
	ev := runtimetest.Delivered(t, stream, recipient, sender)
	if err := k.k.Svc.Do(context.Background(), &ev, func(tx *runtime.Tx) error {
		return k.front.OnDeliveryRequested(context.Background(), tx, ev)
	}); err != nil {
		t.Fatal(err)
	}
}

func reason(err error) string {
	var d accept.Denied
	if errors.As(err, &d) {
		return d.Reason
	}
	return ""
}

// The role names the policy compares are the login's.
func TestSenderRolesAreTheLoginsRoles(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]auth.Role{
		events.SenderCaseSystem: auth.RoleCaseSystem, events.SenderUDK: auth.RoleUDKCaseworker, events.SenderEmployer: auth.RoleEmployer,
		events.SenderPayrollSystem: auth.RolePayrollSystem, events.SenderSelfEmployed: auth.RoleSelfEmployed, events.SenderAKasse: auth.RoleAKasse,
	} {
		if got != string(want) {
			t.Errorf("%q is not the login role %q", got, want)
		}
	}
}

// Issue 16 (Critical, d): case-system event types were "submittable" and
// could be prepared and sent by an employer. Only a blanket can be
// prepared, by one of its senders, for a CVR it may act for; the case
// systems' feedback is for case systems only.
func TestOnlyBlanketsASenderMaySendCanBePrepared(t *testing.T) {
	t.Parallel()
	emp := principal(t, employer("30000005", now))
	for _, typ := range append([]string{events.ProbeRequested, events.BlanketDecided, "dk.nemrefusion.nothing.v1"}, events.FeedbackTypes...) {
		var fe events.FieldErrors
		if err := accept.CheckPrepare(emp, typ, []byte(`{}`)); !errors.As(err, &fe) || fe[0].Code != "not-preparable" || fe[0].Da == "" || fe[0].En == "" {
			t.Errorf("%s prepared: %v", typ, err)
		}
		if typ == events.ProbeRequested {
			continue
		}
		if err := accept.Check(emp, typ, "s", []byte(`{}`), 5*time.Minute, now); err == nil {
			t.Errorf("%s submitted by an employer", typ)
		}
	}
	decision := []byte(`{"absenceId":"a","recipient":"101","decisionId":"D","decidedOn":"2024-06-03","outcome":"granted","periods":[{"from":"2024-04-03","to":"2024-04-30","amountOre":99999900}]}`)
	if err := accept.Check(emp, events.RefusionDecided, "a", decision, 5*time.Minute, now); reason(err) != "role" {
		t.Errorf("an employer's refusion.decided: %v", err)
	}
	akasse := principal(t, auth.Claims{Role: auth.RoleAKasse, CVR: "30000005"})
	if err := accept.CheckPrepare(akasse, events.SicknessEmployerReported, []byte(`{"cvr":"30000005"}`)); reason(err) != "role" {
		t.Errorf("an a-kasse prepares an employer's report: %v", err)
	}
	if err := accept.CheckPrepare(emp, events.SicknessEmployerReported, []byte(`{"cvr":"19435075"}`)); reason(err) != "cvr" {
		t.Errorf("an employer prepares another company's report: %v", err)
	}
	if err := accept.CheckPrepare(emp, events.SicknessEmployerReported, []byte(`{}`)); err != nil {
		t.Errorf("an employer prepares its own, still empty report: %v", err)
	}
}

// Issue 16 (Low, i): invalid UTF-8 in prepared data gave 500 (PostgreSQL
// refused it); NUL in a string too. Both are 400 naming the data.
func TestInvalidUTF8AndNULAreRefused(t *testing.T) {
	t.Parallel()
	emp := principal(t, employer("30000005", now))
	for name, data := range map[string][]byte{
		"invalid UTF-8": []byte("{\"cvr\":\"30000005\",\"contact\":{\"name\":\"\xff\"}}"),
		"NUL":           []byte(`{"cvr":"30000005","contact":{"name":"a\u0000b"}}`),
	} {
		var fe events.FieldErrors
		if err := accept.CheckPrepare(emp, events.SicknessEmployerReported, data); !errors.As(err, &fe) || fe[0].Field != "data" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := accept.CheckData([]byte(`{"note":"a\\u0000 is text"}`)); err != nil {
		t.Errorf("an escaped backslash before u0000 is no NUL: %v", err)
	}
}

// Issue 16 (Critical, c): a 545-s-old login submitted a signed blanket.
// A blanket needs a login no older than the signing maximum age; the
// refusal stores nothing.
func TestStaleLoginCannotSign(t *testing.T) {
	t.Parallel()
	k := start(t)
	stale := principal(t, employer("30000005", now.Add(-545*time.Second)))
	stream := uuid.NewString()
	_, err := k.accept(stale, accept.Input{Type: events.SicknessEmployerReported, Source: "/t", ID: uuid.NewString(), Stream: stream, Data: exampleReport})
	if !errors.Is(err, accept.ErrLoginTooOld) {
		t.Fatalf("stale login: %v", err)
	}
	if out := k.k.Outbox(t, stream); len(out) != 0 {
		t.Fatalf("published %v", out)
	}
	fresh := principal(t, employer("30000005", now.Add(-time.Minute)))
	if _, err := k.accept(fresh, accept.Input{Type: events.SicknessEmployerReported, Source: "/t", ID: uuid.NewString(), Stream: stream, Data: exampleReport}); err != nil {
		t.Fatalf("fresh login: %v", err)
	}
}

// Issue 16 (Medium, g): feedback only from the recipient an absence was
// delivered to, never into a new stream; reserved streams are nobody's.
func TestFeedbackOnlyIntoStreamsDeliveredToTheRecipient(t *testing.T) {
	t.Parallel()
	k := start(t)
	absence := uuid.NewString()
	k.delivered(t, absence, "101", "30000005")
	reg := func(recipient, stream string) accept.Input {
		data, _ := json.Marshal(events.CaseRegistration{AbsenceID: stream, Recipient: recipient, CaseNumber: "K-1", RegisteredOn: "2024-04-11"})
		return accept.Input{Type: events.CaseRegistered, Source: "/ksd", ID: uuid.NewString(), Stream: stream, Data: data}
	}
	kbh := principal(t, auth.Claims{Role: auth.RoleCaseSystem, Municipality: "101", ClientID: "ksd-101"})
	aarhus := principal(t, auth.Claims{Role: auth.RoleCaseSystem, Municipality: "751", ClientID: "ksd-751"})
	udk := principal(t, auth.Claims{Role: auth.RoleUDKCaseworker})
	for name, c := range map[string]struct {
		p      auth.Principal
		in     accept.Input
		reason string
	}{
		"Aarhus":                    {aarhus, reg("751", absence), "tenant"},
		"Aarhus naming København":   {aarhus, reg("101", absence), "recipient"},
		"UDK":                       {udk, reg("UDK", absence), "tenant"},
		"a new stream":              {kbh, reg("101", uuid.NewString()), "tenant"},
		"the read log":              {kbh, reg("101", auth.ReadStream(absence)), "reserved"},
		"access-denied":             {kbh, reg("101", auth.StreamAccessDenied), "reserved"},
		"ledger-checkpoints":        {kbh, reg("101", "ledger-checkpoints"), "reserved"},
		"a probe into the read log": {kbh, accept.Input{Type: events.ProbeRequested, Source: "/p", ID: uuid.NewString(), Stream: "reads/x", Data: []byte(`{"note":"x"}`)}, "reserved"},
	} {
		if _, err := k.accept(c.p, c.in); reason(err) != c.reason {
			t.Errorf("%s: %v, want Denied %q", name, err, c.reason)
		}
	}
	if _, err := k.accept(kbh, reg("101", absence)); err != nil {
		t.Fatalf("København into its absence: %v", err)
	}
	// The absence's owner came with the delivery: another tenant's probe
	// is refused, the sender's own follow-up is not.
	other := principal(t, employer("19435075", now))
	if _, err := k.accept(other, accept.Input{Type: events.ProbeRequested, Source: "/p", ID: uuid.NewString(), Stream: absence, Data: []byte(`{"note":"x"}`)}); reason(err) != "tenant" {
		t.Fatalf("another tenant's probe into a delivered absence: %v", err)
	}
}

// Issue 16 (Low, h): the same id with other data is 409; the same again is
// the same receipt.
func TestSameIDOtherDataIsAConflict(t *testing.T) {
	t.Parallel()
	k := start(t)
	p := principal(t, employer("30000005", now))
	in := accept.Input{Type: events.ProbeRequested, Source: "/t", ID: uuid.NewString(), Stream: "s-" + uuid.NewString(), Data: []byte(`{"note": "a"}`)}
	first, err := k.accept(p, in)
	if err != nil || first.Repeat || !accept.ReceiptPattern.MatchString(first.Receipt) {
		t.Fatalf("first: %+v %v", first, err)
	}
	in.Data = []byte(`{"note":"a"}`) // whitespace only: the same
	again, err := k.accept(p, in)
	if err != nil || !again.Repeat || again.Receipt != first.Receipt || again.EventID != first.EventID {
		t.Fatalf("again: %+v %v", again, err)
	}
	in.Data = []byte(`{"note":"b"}`)
	if _, err := k.accept(p, in); runtime.KindOf(err) != runtime.KindConflict {
		t.Fatalf("other data: %v", err)
	}
	in.Data, in.Stream = []byte(`{"note":"a"}`), "s-"+uuid.NewString()
	if _, err := k.accept(p, in); runtime.KindOf(err) != runtime.KindConflict {
		t.Fatalf("another stream: %v", err)
	}
}

// A follow-up into a stream an earlier blanket opened names that blanket
// (events.ExtOpener): the consumer's explicit signal that the case is on
// its way, instead of reading the ledger table to guess it. The opening
// submission itself names none.
func TestFollowUpNamesTheStreamsOpener(t *testing.T) {
	t.Parallel()
	k := start(t)
	p := principal(t, employer("30000005", now))
	report, err := k.accept(p, accept.Input{Type: events.SicknessEmployerReported, Source: "/t", ID: uuid.NewString(), Data: exampleReport})
	if err != nil {
		t.Fatal(err)
	}
	recovery, _ := json.Marshal(events.SicknessRecoveryReport{AbsenceID: report.Stream, CVR: "30000005", LastAbsenceDay: "2026-03-19"})
	rc, err := k.accept(p, accept.Input{Type: events.SicknessRecoveryReported, Source: "/t", ID: uuid.NewString(), Data: recovery})
	if err != nil {
		t.Fatal(err)
	}
	openers := map[string]string{}
	rows, err := k.k.Svc.DB.Query(context.Background(), `SELECT event_type, coalesce(event->>'`+events.ExtOpener+`', '') FROM outbox WHERE partition_key = $1`, report.Stream)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ, opener string
		if err := rows.Scan(&typ, &opener); err != nil {
			t.Fatal(err)
		}
		openers[typ] = opener
	}
	rows.Close()
	if openers[events.SicknessEmployerReported] != "" || openers[events.SicknessRecoveryReported] != report.EventID || rc.Stream != report.Stream {
		t.Fatalf("openers %v; want none on the report and the report's id %s on the recovery", openers, report.EventID)
	}
}
