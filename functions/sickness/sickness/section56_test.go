package sickness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/section56"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// section56Fixture runs the sickness definitions with approvals relative to
// today: the employee persona (who lives in København) has one agreement
// approved a year ago, one that expired, and Aarhus has one for them that
// København does not know.
func section56Fixture(t *testing.T) *fixture {
	t.Helper()
	rates, err := kernel.LoadRates(fmt.Sprintf("%d=4845", time.Now().Year()))
	if err != nil {
		t.Fatal(err)
	}
	p := blankettest.Persona(t, synth.PersonaEmployee)
	today := kernel.DateOf(time.Now())
	reg, err := section56.Load([]byte(fmt.Sprintf(`{"approvals":[
		{"municipality":"101","reference":"KK-56-VALID","cpr":%q,"cvr":%q,"approvedOn":%q},
		{"municipality":"101","reference":"KK-56-OLD","cpr":%q,"cvr":%q,"approvedOn":%q},
		{"municipality":"751","reference":"AAR-56-ELSEWHERE","cpr":%q,"cvr":%q,"approvedOn":%q}]}`,
		p.CPR, p.CVR, today.AddMonths(-12), p.CPR, p.CVR, today.AddMonths(-30), p.CPR, p.CVR, today.AddMonths(-12))))
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Rates: rates, Section56: &reg}
	return &fixture{blankettest.Start(t, "sickness", h.Definitions()...)}
}

// Sygedagpengeloven § 56: the agreement's reference must be one the
// person's municipality approved, for this employee, valid (2 years) on
// the first absence day; otherwise the report is rejected on the field
// section56.reference, in Danish and English, and nothing is delivered.
func TestScenario_SDL56_ReportNamesAnAgreementTheMunicipalityApproved_OrIsRejectedOnTheReference(t *testing.T) {
	t.Parallel()
	f := section56Fixture(t)
	submit := func(ref string) (string, []runtimetest.Emitted) {
		r := employerReport(t, time.Now().AddDate(0, 0, -10))
		r.Section56 = &events.Section56Agreement{Reference: ref}
		id := uuid.Must(uuid.NewV7()).String()
		f.Deliver(t, blankettest.Submission(t, events.SicknessEmployerReported, id, r))
		return id, f.Outbox(t, id)
	}

	id, out := submit("KK-56-VALID")
	if len(runtimetest.OfType(out, events.DeliveryRequested)) != 1 || len(runtimetest.OfType(out, events.BlanketRejected)) != 0 {
		t.Fatalf("an approved agreement: %v", out)
	}
	var reasons json.RawMessage
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT reason FROM ledger.entries WHERE stream = $1 AND event_type = $2`,
		id, blanket.LedgerDecided).Scan(&reasons); err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{`"sdl-56"`, `"sdl-56-approval"`} {
		if !bytes.Contains(reasons, []byte(rule)) {
			t.Errorf("the ledger's reasons lack %s", rule)
		}
	}

	for ref, code := range map[string]string{
		"KK-56-UNKNOWN":    "section56.unknown",
		"KK-56-OLD":        "section56.expired",
		"AAR-56-ELSEWHERE": "section56.unknown", // Aarhus's approval; the person lives in København
	} {
		_, out := submit(ref)
		if n := len(runtimetest.OfType(out, events.DeliveryRequested)); n != 0 {
			t.Errorf("%s: %d deliveries, want none", ref, n)
		}
		rej := runtimetest.OfType(out, events.BlanketRejected)
		if len(rej) != 1 {
			t.Fatalf("%s: %d rejections, want 1", ref, len(rej))
		}
		var r events.BlanketRejection
		_ = json.Unmarshal(rej[0].Data, &r)
		if len(r.Errors) != 1 || r.Errors[0].Field != "section56.reference" || r.Errors[0].Code != code || r.Errors[0].Da == "" || r.Errors[0].En == "" {
			t.Errorf("%s: errors %+v, want %s on section56.reference in Danish and English", ref, r.Errors, code)
		}
	}
}
