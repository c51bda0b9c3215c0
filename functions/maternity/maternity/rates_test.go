package maternity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// ratesKit runs the parental definitions with the function's copy of the
// rates (SetupRates, seeded from rates.json only).
func ratesKit(t *testing.T) (*runtimetest.Kit, *Handler) {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "maternity"})
	h := &Handler{}
	pipe, err := blanket.New(blankettest.Dataset(t), h.Definitions()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := pipe.Register(context.Background(), k.Svc); err != nil {
		t.Fatal(err)
	}
	if err := h.SetupRates(context.Background(), k.Svc, pipe, ""); err != nil {
		t.Fatal(err)
	}
	return k, h
}

// The maternity function keeps its own copy of the maximum rates from the
// sickness function's rate.registered (the barselsdagpenge maximum is the
// sygedagpenge maximum, sygedagpengeloven § 50, stk. 1): seeded from
// rates.json, a 2027 rate arrives as an event, a late older version changes
// nothing, and the preview answers 422 until the rate is there.
func TestRateCopyIsKeptFromRateRegistered_SDL50(t *testing.T) {
	t.Parallel()
	k, h := ratesKit(t)
	ctx := context.Background()
	tab, err := CurrentRates(ctx, k.Svc.DB)
	if err != nil || len(tab.Rates()) != 8 {
		t.Fatalf("seeded copy %+v %v, want the 8 committed rates", tab.Rates(), err)
	}
	srv := httptest.NewServer(h.Preview(time.Now))
	defer srv.Close()
	body := `{"periods":[{"from":"2027-03-01","to":"2027-03-07","kind":"birth","hoursAbsent":37,"wagesPaid":7400}],"hourlyEarnings":200,"receivedOn":"2027-04-01"}`
	post := func() int {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(); code != http.StatusUnprocessableEntity {
		t.Fatalf("2027 without a rate: %d, want 422", code)
	}
	reg := func(version int, weekly events.Kroner, status string) {
		ev, err := events.New(events.RateRegistered, "sickness", "rates/2027", events.RateRegistration{ID: int64(100 + version), Year: 2027,
			EffectiveFrom: "2027-01-04", Weekly: weekly, Hourly: events.Kroner(kernel.HourlyFromWeekly(kernel.Money(weekly))),
			Source: "https://bm.dk/satser/", Status: status, Version: version, AddedBy: "admin-1", AddedAt: "2027-01-10T09:00:00Z"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		k.Deliver(t, ev)
	}
	reg(2, 500000, events.RateStatusPublished)
	reg(1, 490000, events.RateStatusProvisional) // late and older: ignored
	tab, err = CurrentRates(ctx, k.Svc.DB)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tab.RateOn(kernel.NewDate(2027, time.January, 4))
	if err != nil || r.Weekly != kernel.Kr(5000, 0) || r.Provisional {
		t.Fatalf("2027 in the copy: %+v %v, want the published 5,000 kr", r, err)
	}
	// 3 January 2027 is before the first Monday: 2026 has no rate here.
	if _, err := tab.RateOn(kernel.NewDate(2027, time.January, 3)); err == nil {
		t.Error("3 January 2027 got a rate; it belongs to 2026, which has none")
	}
	if code := post(); code != http.StatusOK {
		t.Fatalf("2027 with a rate: %d, want 200", code)
	}
}

// barselsloven § 39 with the maximum of sygedagpengeloven § 50, stk. 1: an
// employer's request for a year without a rate is decided without the
// amount and kept as waiting; when the rate arrives (rate.registered) the
// period is computed and fed back as the request was decided
// (blanket.decided, refusion.expected, the delivery to UDK), once; the
// rate published at another amount computes it again.
func TestLeaveWithoutRateIsRecomputedWhenTheRateArrives_Once_SDL50(t *testing.T) {
	t.Parallel()
	k, h := ratesKit(t)
	ctx := context.Background()
	year := time.Now().Year()
	if kernel.DateOf(time.Now().AddDate(0, 0, -20)).Before(kernel.FirstMondayOfJanuary(year)) {
		t.Skip("the first days of January use last year's rate; the test needs a day of this year's rate")
	}
	id := uuid.Must(uuid.NewV7()).String()
	ev := blankettest.Submission(t, events.ParentalEmployerReported, id, employerRequest(t, false, leave(20, ptr(9000.0))))
	// As the accept step does: the submission in its stream.
	if err := k.Svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		_, err := tx.Record(ctx, ledger.Entry{Stream: id, Actor: "test:accept", Role: "system", EventType: ev.Type(), EventSource: ev.Source(), EventID: ev.ID(), Payload: ev.Data()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	k.Deliver(t, ev)
	results := func() []events.ParentalEmployerResult {
		var out []events.ParentalEmployerResult
		for _, e := range runtimetest.OfType(k.Outbox(t, id), events.BlanketDecided) {
			var d events.BlanketDecision
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d.Result.(events.ParentalEmployerResult))
		}
		return out
	}
	if rs := results(); len(rs) != 1 || rs[0].Refusion.Complete || len(rs[0].Refusion.MissingRateYears) != 1 {
		t.Fatalf("without a rate: %+v", rs)
	}
	reg, err := events.New(events.RateRegistered, "sickness", fmt.Sprintf("rates/%d", year), events.RateRegistration{ID: 77, Year: year,
		EffectiveFrom: kernel.FirstMondayOfJanuary(year).String(), Weekly: 484500, Hourly: 13095, Source: kernel.ProvisionalSource,
		Status: events.RateStatusProvisional, Version: 1, AddedBy: "admin-1", AddedAt: time.Now().UTC().Format(time.RFC3339)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	k.Deliver(t, reg)
	rs := results()
	// 210 kr × 0.92 = 193.20, capped at 130.95 kr/hour × 37 h = 4,845.15 kr, at most the 9,000 kr wages.
	if len(rs) != 2 || !rs[1].Refusion.Complete || rs[1].Refusion.Total != 484515 || !rs[1].Refusion.Provisional || rs[1].Version != 2 {
		t.Fatalf("after the rate: %+v", rs)
	}
	out := k.Outbox(t, id)
	exps := runtimetest.OfType(out, events.RefusionExpected)
	var exp events.RefusionExpectation
	_ = json.Unmarshal(exps[len(exps)-1].Data, &exp)
	if len(exp.Periods) != 1 || exp.Periods[0].AmountOre != 484515 {
		t.Errorf("expected refusion %+v", exp)
	}
	if dels := runtimetest.OfType(out, events.DeliveryRequested); len(dels) != 2 {
		t.Errorf("%d deliveries to UDK, want 2", len(dels))
	}
	schemaValid(t, out)
	// Delivered again, and another event: nothing more.
	n := len(out)
	k.Deliver(t, reg)
	if err := k.Svc.Do(ctx, nil, func(tx *runtime.Tx) error { _, err := h.Recompute(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}
	if got := len(k.Outbox(t, id)); got != n {
		t.Errorf("%d events after a repeated recompute, want %d", got, n)
	}

	// Published at another amount: computed again, no longer provisional;
	// then nothing more.
	pub, err := events.New(events.RateRegistered, "sickness", fmt.Sprintf("rates/%d", year), events.RateRegistration{ID: 78, Year: year,
		EffectiveFrom: kernel.FirstMondayOfJanuary(year).String(), Weekly: 488400, Hourly: 13200, Source: "https://bm.dk/satser/",
		Status: events.RateStatusPublished, Version: 2, AddedBy: "admin-1", AddedAt: time.Now().UTC().Format(time.RFC3339)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	k.Deliver(t, pub)
	rs = results()
	// 132.00 kr/hour × 37 h = 4,884.00 kr.
	if len(rs) != 3 || rs[2].Refusion.Total != 488400 || rs[2].Refusion.Provisional {
		t.Fatalf("after publishing: %+v", rs)
	}
	n = len(k.Outbox(t, id))
	if err := k.Svc.Do(ctx, nil, func(tx *runtime.Tx) error { _, err := h.Recompute(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}
	if got := len(k.Outbox(t, id)); got != n {
		t.Errorf("%d events after recomputing a published rate again, want %d", got, n)
	}
}
