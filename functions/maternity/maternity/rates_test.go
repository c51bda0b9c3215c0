package maternity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// The maternity function keeps its own copy of the maximum rates from the
// sickness function's rate.registered (the barselsdagpenge maximum is the
// sygedagpenge maximum, sygedagpengeloven § 50, stk. 1): seeded from
// rates.json, a 2027 rate arrives as an event, a late older version changes
// nothing, and the preview answers 422 until the rate is there.
func TestRateCopyIsKeptFromRateRegistered_SDL50(t *testing.T) {
	t.Parallel()
	k := runtimetest.Start(t, runtimetest.Options{Name: "maternity"})
	h := &Handler{}
	pipe, err := blanket.New(blankettest.Dataset(t), h.Definitions()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := pipe.Register(ctx, k.Svc); err != nil {
		t.Fatal(err)
	}
	if err := h.SetupRates(ctx, k.Svc, ""); err != nil {
		t.Fatal(err)
	}
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
