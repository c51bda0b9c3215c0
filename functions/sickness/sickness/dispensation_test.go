package sickness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// Sygedagpengeloven § 59: a late report gives refusion only from the day it
// was received unless the municipality gives dispensation. A caseworker of
// the absence's municipality (København) moves the refusion start; the
// decision and its reason are in the ledger, the case system gets the
// absence as changed and the employer the changed decision. Another
// municipality's caseworker gets 404, as for an absence that does not exist.
func TestScenario_SDL59_CaseworkerGivesDispensation_LedgerRecipientAndEmployerGetTheChangedDecision(t *testing.T) {
	t.Parallel()
	// The function as it runs: rates from its table, the dispensation route behind the login.
	f := newRatesFixture(t)
	k := f.Kit
	f.h.SetupDispensation(k.Svc, f.h.pipe, k.Verifier(t))
	accepted := func(ev cloudevents.Event) { t.Helper(); f.accepted(t, ev) }
	id := uuid.Must(uuid.NewV7()).String()
	r := employerReport(t, time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC))
	ev := blankettest.Submission(t, events.SicknessEmployerReported, id, r)
	ev.SetTime(time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC)) // a day after the deadline 8 April: refusion from 9 April
	accepted(ev)

	caseworker := func(municipality string) string {
		return k.Token(t, auth.Claims{Subject: "cw-" + municipality, Role: auth.RoleCaseworker, Municipality: municipality, LoA: auth.LoAHigh})
	}
	call := func(token, absenceID, body string) (int, map[string]any) {
		t.Helper()
		rep := k.Call(t, http.MethodPost, "/api/v1/refusion/absences/"+absenceID+"/dispensation", token, body)
		var out map[string]any
		_ = json.Unmarshal(rep.Body, &out)
		return rep.Status, out
	}
	kbh, aarhus := caseworker("101"), caseworker("751")
	const body = `{"refusionFrom":"2024-04-03","reason":"NemRefusion var nede den 8. april"}`

	// An employer may not; Aarhus's caseworker and an unknown absence: 404 alike, nothing changes.
	if code, _ := call(k.Token(t, auth.Claims{Subject: "emp", Role: auth.RoleEmployer, CVR: r.CVR, LoA: auth.LoAHigh}), id, body); code != http.StatusForbidden {
		t.Errorf("the employer: %d, want 403", code)
	}
	if code, _ := call(aarhus, id, body); code != http.StatusNotFound {
		t.Errorf("Aarhus's caseworker on København's absence: %d, want 404", code)
	}
	if code, _ := call(kbh, uuid.Must(uuid.NewV7()).String(), body); code != http.StatusNotFound {
		t.Errorf("an unknown absence: %d, want 404", code)
	}
	if n := len(runtimetest.OfType(k.Outbox(t, id), events.BlanketDecided)); n != 1 {
		t.Fatalf("%d decisions before the dispensation, want 1", n)
	}
	// Bad fields: 400 naming them.
	if code, out := call(kbh, id, `{"refusionFrom":"2024-04-02","reason":""}`); code != http.StatusBadRequest ||
		!strings.Contains(fmt.Sprint(out), "before_earliest") || !strings.Contains(fmt.Sprint(out), "reason") {
		t.Errorf("before the employer period ends, no reason: %d %v", code, out)
	}

	code, out := call(kbh, id, body)
	if code != http.StatusOK || out["refusionFrom"] != "2024-04-03" {
		t.Fatalf("dispensation: %d %v, want refusion from 3 April 2024", code, out)
	}
	emitted := k.Outbox(t, id)
	decisions := runtimetest.OfType(emitted, events.BlanketDecided)
	var changed struct {
		Result struct {
			Refusion struct {
				RefusionFrom string `json:"refusionFrom"`
			} `json:"refusion"`
		} `json:"result"`
	}
	if len(decisions) == 2 {
		_ = json.Unmarshal(decisions[1].Data, &changed)
	}
	if len(decisions) != 2 || changed.Result.Refusion.RefusionFrom != "2024-04-03" || !bytes.Contains(decisions[1].Data, []byte("sdl-59-dispensation")) {
		t.Fatalf("the employer's changed decision: %d decisions, last %s", len(decisions), decisions[len(decisions)-1].Data)
	}
	var item events.DeliveryRequest
	for _, e := range runtimetest.OfType(emitted, events.DeliveryRequested) {
		var d events.DeliveryRequest
		_ = json.Unmarshal(e.Data, &d)
		if d.Kind == "sickness.dispensation" {
			item = d
			if err := events.ValidateJSON(events.DeliveryRequested, e.Data); err != nil {
				t.Errorf("the item does not fit its schema: %v", err)
			}
		}
	}
	if item.Recipient != "101" || item.CaseRef != id {
		t.Errorf("the case system's item %+v, want København's, of the absence", item)
	}
	xs := runtimetest.OfType(emitted, events.RefusionExpected)
	var x events.RefusionExpectation
	_ = json.Unmarshal(xs[len(xs)-1].Data, &x)
	if len(x.Periods) != 1 || x.Periods[0].From != "2024-04-03" || x.Periods[0].To != "2024-04-09" {
		t.Errorf("expected refusion %+v, want 3–9 April 2024", x.Periods)
	}
	var reason json.RawMessage
	if err := k.Svc.DB.QueryRow(context.Background(), `SELECT reason FROM ledger.entries WHERE stream = $1 AND event_type = $2 ORDER BY seq DESC LIMIT 1`,
		id, blanket.LedgerDecided).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(reason, []byte("NemRefusion var nede den 8. april")) || !bytes.Contains(reason, []byte("municipality:101")) {
		t.Errorf("the ledger's decision lacks the caseworker's reason or municipality: %s", reason)
	}

	// An absence reported in time has no deadline to dispense from: 422.
	inTime := uuid.Must(uuid.NewV7()).String()
	r2 := employerReport(t, time.Date(2024, 3, 11, 0, 0, 0, 0, time.UTC))
	ev2 := blankettest.Submission(t, events.SicknessEmployerReported, inTime, r2)
	ev2.SetTime(time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC))
	accepted(ev2)
	if code, out := call(kbh, inTime, `{"refusionFrom":"2024-04-10","reason":"x"}`); code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out), "dispensation.not_late") {
		t.Errorf("in time: %d %v, want 422 dispensation.not_late", code, out)
	}
}
