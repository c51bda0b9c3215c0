package sickness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// ratesFixture runs the sickness function with its rate table (SetupRates,
// seeded from rates.json only: the current year has no rate).
type ratesFixture struct {
	*runtimetest.Kit
	h     *Handler
	admin string
}

var rateAdmin = auth.Claims{Subject: "rates-admin-1", Role: auth.RoleAdmin, LoA: auth.LoAHigh}

func newRatesFixture(t *testing.T) *ratesFixture {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "sickness"})
	h := &Handler{}
	pipe, err := blanket.New(blankettest.Dataset(t), h.Definitions()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := pipe.Register(context.Background(), k.Svc); err != nil {
		t.Fatal(err)
	}
	if err := h.SetupRates(context.Background(), k.Svc, pipe, k.Verifier(t), ""); err != nil {
		t.Fatal(err)
	}
	return &ratesFixture{Kit: k, h: h, admin: k.Token(t, rateAdmin)}
}

// accepted records ev in its stream as the accept step does (the submission
// with its data; the recompute reads it back for the delivery) and delivers it.
func (f *ratesFixture) accepted(t *testing.T, ev cloudevents.Event) {
	t.Helper()
	if err := f.Svc.Do(context.Background(), nil, func(tx *runtime.Tx) error {
		_, err := tx.Record(context.Background(), ledger.Entry{Stream: events.PartitionKey(ev), Actor: "test:accept", Role: "system",
			EventType: ev.Type(), EventSource: ev.Source(), EventID: ev.ID(), Payload: ev.Data()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.Deliver(t, ev)
}

func (f *ratesFixture) change(t *testing.T, path string, body any) (runtimetest.Reply, RateChange) {
	t.Helper()
	rep := f.Call(t, http.MethodPost, path, f.admin, body)
	var ch RateChange
	if rep.Status == http.StatusCreated {
		if err := json.Unmarshal(rep.Body, &ch); err != nil {
			t.Fatalf("%s: %v", rep.Body, err)
		}
	}
	return rep, ch
}

func (f *ratesFixture) list(t *testing.T) []RateRow {
	t.Helper()
	rep := f.Call(t, http.MethodGet, RatesPath, f.admin, nil)
	var l RatesList
	if rep.Status != http.StatusOK || json.Unmarshal(rep.Body, &l) != nil {
		t.Fatalf("list: %d %s", rep.Status, rep.Body)
	}
	return l.Rates
}

func TestRatesAdmin_SeededAddedPublishedListed_AdministratorsOnly_SDL50(t *testing.T) {
	t.Parallel()
	f := newRatesFixture(t)
	// The committed table is the seed (sygedagpengeloven § 50, stk. 1): 2019's
	// rate takes effect on Monday 7 January 2019, with its source.
	rows := f.list(t)
	i := slices.IndexFunc(rows, func(r RateRow) bool { return r.Year == 2019 })
	if len(rows) != 8 || i < 0 || rows[i].EffectiveFrom.String() != "2019-01-07" || rows[i].Weekly != kernel.Kr(4355, 0) ||
		rows[i].Status != events.RateStatusPublished || rows[i].AddedBy != SeedActor || !rows[i].Current {
		t.Fatalf("seeded rates %+v", rows)
	}
	// Only an administrator may read or change the table.
	employer := f.Token(t, auth.Claims{Subject: "emp-1", Role: auth.Role(events.SenderEmployer), CVR: "30000005", LoA: auth.LoASubstantial})
	for _, c := range []struct{ method, path string }{{http.MethodGet, RatesPath}, {http.MethodPost, RatesPath}, {http.MethodPost, RatesPath + "/1/publish"}} {
		if rep := f.Call(t, c.method, c.path, employer, `{}`); rep.Status != http.StatusForbidden {
			t.Errorf("%s %s as employer: %d, want 403", c.method, c.path, rep.Status)
		}
		if rep := f.Call(t, c.method, c.path, "", `{}`); rep.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", c.method, c.path, rep.Status)
		}
	}
	// Bad input names every field, in Danish and English, and changes nothing.
	rep, _ := f.change(t, RatesPath, map[string]any{"year": 2026, "weekly": 0, "status": "guessed", "effectiveFrom": "2025-12-29"})
	if rep.Status != http.StatusBadRequest {
		t.Fatalf("bad rate: %d %s", rep.Status, rep.Body)
	}
	for _, field := range []string{`"weekly"`, `"status"`, `"effectiveFrom"`} {
		if !strings.Contains(string(rep.Body), field) {
			t.Errorf("bad rate answer %s does not name %s", rep.Body, field)
		}
	}
	if rep, _ := f.change(t, RatesPath, map[string]any{"year": 2027, "weekly": 4900, "status": "published"}); rep.Status != http.StatusBadRequest ||
		!strings.Contains(string(rep.Body), `"source"`) {
		t.Errorf("published without source: %d %s", rep.Status, rep.Body)
	}
	if got := len(f.list(t)); got != 8 {
		t.Fatalf("bad input changed the table: %d rates", got)
	}
	// A published year cannot be changed.
	if rep, _ := f.change(t, RatesPath, map[string]any{"year": 2024, "weekly": 5000, "status": "provisional"}); rep.Status != http.StatusConflict {
		t.Errorf("change of published 2024: %d %s, want 409", rep.Status, rep.Body)
	}
	// A provisional 2026 rate: hourly = weekly / 37, effective on the first Monday.
	rep, ch := f.change(t, RatesPath, map[string]any{"year": 2026, "weekly": 4945, "status": "provisional"})
	if rep.Status != http.StatusCreated || ch.Rate.Hourly != kernel.Kr(133, 65) || ch.Rate.EffectiveFrom.String() != "2026-01-05" ||
		ch.Rate.Status != events.RateStatusProvisional || ch.Rate.Version != 1 || ch.Rate.AddedBy != rateAdmin.Subject {
		t.Fatalf("add 2026: %d %s", rep.Status, rep.Body)
	}
	out := f.Outbox(t, "rates/2026")
	if regs := runtimetest.OfType(out, events.RateRegistered); len(regs) != 1 {
		t.Fatalf("%d rate.registered, want 1", len(regs))
	}
	if err := events.ValidateJSON(events.RateRegistered, out[0].Data); err != nil {
		t.Errorf("rate.registered invalid: %v", err)
	}
	// The change is in the ledger with the administrator as actor (the
	// ledger is the whole system's: other tests' changes share the stream).
	if !slices.ContainsFunc(f.Ledger(t, "admin/rates/2026"), func(r ledger.Record) bool {
		var got events.RateRegistration
		return r.Actor == rateAdmin.Subject && json.Unmarshal(r.Payload, &got) == nil && got.ID == ch.Rate.ID
	}) {
		t.Error("the ledger does not record the administrator's change")
	}
	// Publishing makes a new version; the provisional one stays as history.
	rep, pub := f.change(t, fmt.Sprintf("%s/%d/publish", RatesPath, ch.Rate.ID), map[string]any{"weekly": 4950, "source": "https://bm.dk/satser/satser-for-2026/"})
	if rep.Status != http.StatusCreated || pub.Rate.Version != 2 || pub.Rate.Status != events.RateStatusPublished || pub.Rate.Weekly != kernel.Kr(4950, 0) {
		t.Fatalf("publish: %d %s", rep.Status, rep.Body)
	}
	if rep, _ := f.change(t, fmt.Sprintf("%s/%d/publish", RatesPath, pub.Rate.ID), map[string]any{"source": "x"}); rep.Status != http.StatusConflict {
		t.Errorf("publish a published rate: %d, want 409", rep.Status)
	}
	if rep, _ := f.change(t, RatesPath+"/999999/publish", map[string]any{"source": "x"}); rep.Status != http.StatusNotFound {
		t.Errorf("publish unknown: %d, want 404", rep.Status)
	}
	rows = f.list(t)
	var y2026 []RateRow
	for _, r := range rows {
		if r.Year == 2026 {
			y2026 = append(y2026, r)
		}
	}
	if len(y2026) != 2 || y2026[0].Current || !y2026[1].Current || y2026[1].Status != events.RateStatusPublished {
		t.Errorf("2026 versions %+v", y2026)
	}
}

// decisions returns the blanket.decided results emitted for an absence.
func decisions(t *testing.T, k *runtimetest.Kit, id string) []events.SicknessResult {
	t.Helper()
	var out []events.SicknessResult
	for _, e := range runtimetest.OfType(k.Outbox(t, id), events.BlanketDecided) {
		var d events.BlanketDecision
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d.Result.(events.SicknessResult))
	}
	return out
}

func hasReason(t *testing.T, k *runtimetest.Kit, id, rule string) bool {
	t.Helper()
	for _, e := range runtimetest.OfType(k.Outbox(t, id), events.BlanketDecided) {
		var d events.BlanketDecision
		_ = json.Unmarshal(e.Data, &d)
		if slices.ContainsFunc(d.Reasons, func(r events.Reason) bool { return r.Rule == rule }) {
			return true
		}
	}
	return false
}

func TestRecompute_AReportWithoutRateGetsItsAmountWhenTheRateLands_Once_AndAgainWhenPublished_SDL50(t *testing.T) {
	t.Parallel()
	f := newRatesFixture(t)
	id := uuid.Must(uuid.NewV7()).String()
	first := time.Now().AddDate(0, 0, -40)
	if kernel.DateOf(first).Before(kernel.FirstMondayOfJanuary(time.Now().Year())) {
		t.Skip("the first days of January use last year's rate; the test needs a day of this year's rate")
	}
	f.accepted(t, blankettest.Submission(t, events.SicknessEmployerReported, id, employerReport(t, first)))

	// sygedagpengeloven § 50, stk. 1: no rate for this year, so no amount,
	// and the reason says it is computed when the rate is known.
	ds := decisions(t, f.Kit, id)
	if len(ds) != 1 || ds[0].Refusion == nil || ds[0].Refusion.WeeklyAmount != 0 || !hasReason(t, f.Kit, id, "sdl-50-no-rate") {
		t.Fatalf("decision without a rate: %+v", ds)
	}
	deliveries := len(runtimetest.OfType(f.Outbox(t, id), events.DeliveryRequested))

	// A provisional rate lands: the amount is computed and fed back as a
	// decision is (blanket.decided, refusion.expected, the delivery), marked
	// provisional, with a reason saying it was recomputed.
	year := time.Now().Year()
	rep, ch := f.change(t, RatesPath, map[string]any{"year": year, "weekly": 4845, "status": "provisional"})
	if rep.Status != http.StatusCreated || ch.Recomputed != 1 {
		t.Fatalf("add rate: %d %s, want 1 recomputed", rep.Status, rep.Body)
	}
	ds = decisions(t, f.Kit, id)
	// 210 kr × 0.92 = 193.20 kr, capped at 4,845 / 37 = 130.95 kr; × 37 h.
	if len(ds) != 2 || ds[1].Refusion == nil || ds[1].Refusion.WeeklyAmount != 484515 || !ds[1].Refusion.Provisional || ds[1].AbsenceID != id {
		t.Fatalf("recomputed decision: %+v", ds)
	}
	if !hasReason(t, f.Kit, id, "sdl-50-recomputed") {
		t.Error("no reason says the amount was recomputed when the rate became known")
	}
	exps := runtimetest.OfType(f.Outbox(t, id), events.RefusionExpected)
	var last events.RefusionExpectation
	_ = json.Unmarshal(exps[len(exps)-1].Data, &last)
	if len(last.Periods) == 0 || last.Periods[0].AmountOre <= 0 {
		t.Errorf("last refusion.expected %+v, want the report's period with an amount", last)
	}
	dels := runtimetest.OfType(f.Outbox(t, id), events.DeliveryRequested)
	if len(dels) != deliveries+1 {
		t.Fatalf("%d deliveries, want one more for the municipality", len(dels))
	}
	var del events.DeliveryRequest
	_ = json.Unmarshal(dels[len(dels)-1].Data, &del)
	if del.Kind != "sickness.report" || !strings.HasSuffix(del.ItemID, "/2") || del.Recipient != "101" {
		t.Errorf("recomputed delivery %+v, want version 2 of the report to 101", del)
	}
	if err := events.ValidateJSON(events.DeliveryRequested, dels[len(dels)-1].Data); err != nil {
		t.Errorf("recomputed delivery invalid: %v", err)
	}

	// Idempotent: recomputing again, or the rate.registered event delivered
	// (twice), feeds nothing back.
	before := len(f.Outbox(t, id))
	var n int
	if err := f.Svc.Do(context.Background(), nil, func(tx *runtime.Tx) error {
		var err error
		n, err = f.h.Recompute(context.Background(), tx)
		return err
	}); err != nil || n != 0 {
		t.Fatalf("second recompute: %d %v, want 0", n, err)
	}
	reg, err := events.New(events.RateRegistered, "sickness", fmt.Sprintf("rates/%d", year), ch.Rate.Event(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Deliver(t, reg)
	f.Deliver(t, reg)
	if got := len(f.Outbox(t, id)); got != before {
		t.Fatalf("%d events after a repeated recompute, want %d", got, before)
	}

	// Published at another amount: recomputed again, no longer provisional.
	rep, pub := f.change(t, fmt.Sprintf("%s/%d/publish", RatesPath, ch.Rate.ID), map[string]any{"weekly": 4884, "source": "https://bm.dk/satser/"})
	if rep.Status != http.StatusCreated || pub.Recomputed != 1 {
		t.Fatalf("publish: %d %s, want 1 recomputed", rep.Status, rep.Body)
	}
	ds = decisions(t, f.Kit, id)
	// 4,884 / 37 = 132.00 kr; × 37 h = 4,884.00 kr.
	if len(ds) != 3 || ds[2].Refusion.WeeklyAmount != 488400 || ds[2].Refusion.Provisional {
		t.Fatalf("after publishing: %+v", ds)
	}
	// Published at the same amount as before: nothing changes, nothing is sent.
	before = len(f.Outbox(t, id))
	if err := f.Svc.Do(context.Background(), nil, func(tx *runtime.Tx) error {
		n, err = f.h.Recompute(context.Background(), tx)
		return err
	}); err != nil || n != 0 || len(f.Outbox(t, id)) != before {
		t.Fatalf("recompute after publishing: %d %v", n, err)
	}
}

func TestPreviewReadsTheRateTable_422UntilTheRateIsRegistered_SDL50(t *testing.T) {
	t.Parallel()
	f := newRatesFixture(t)
	srv := httptest.NewServer(f.h.Preview(time.Now))
	defer srv.Close()
	body := `{"firstAbsenceDay":"2027-03-01","employedSince":"2020-01-01","wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,"receivedOn":"2027-03-20"}`
	post := func() (int, map[string]any) {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	// sygedagpengeloven § 50, stk. 1: no 2027 rate, 422 naming the year.
	if code, out := post(); code != http.StatusUnprocessableEntity || out["year"] != 2027.0 || out["effectiveFrom"] != "2027-01-04" {
		t.Fatalf("%d %v", code, out)
	}
	if rep, _ := f.change(t, RatesPath, map[string]any{"year": 2027, "weekly": 5000, "status": "provisional"}); rep.Status != http.StatusCreated {
		t.Fatalf("add 2027: %d %s", rep.Status, rep.Body)
	}
	if code, out := post(); code != http.StatusOK || out["provisional"] != true || out["maxHourlyRate"] != 135.14 {
		t.Fatalf("%d %v", code, out)
	}
}

// A year whose rate in use is provisional gets the committed published rate
// as its next version when the function starts (SeedRates), to be sent and
// recomputed; a published year is left as it is (sygedagpengeloven § 50).
func TestSeedRatesPublishesACommittedRateOverAProvisionalOne_SDL50(t *testing.T) {
	t.Parallel()
	f := newRatesFixture(t)
	ctx := context.Background()
	if _, err := f.Svc.DB.Exec(ctx, `INSERT INTO max_rates (year, version, effective_from, weekly_ore, hourly_ore, source, status, added_by)
		VALUES (2013, 2, '2013-01-07', 400000, 10811, 'test', 'provisional', 'test')`); err != nil {
		t.Fatal(err)
	}
	var replaced []RateRow
	if err := f.Svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		var err error
		replaced, err = SeedRates(ctx, tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(replaced) != 1 || replaced[0].Year != 2013 || replaced[0].Version != 3 || replaced[0].Weekly != kernel.Kr(4005, 0) ||
		replaced[0].Status != events.RateStatusPublished || replaced[0].AddedBy != SeedActor {
		t.Fatalf("replaced %+v, want 2013's committed 4,005 kr as version 3", replaced)
	}
	if got := len(f.list(t)); got != 10 {
		t.Errorf("%d versions, want the 8 seeded, the provisional and the republished", got)
	}
}
