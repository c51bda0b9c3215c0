package absence

import (
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/refusion"
)

func nextPeriod(t *testing.T, a Absence, from, to, received kernel.Date, rates kernel.Table) Decision {
	t.Helper()
	d, err := NextPeriod(a, events.SicknessPeriodReport{AbsenceID: absenceID, CVR: employerCVR, From: from.String(), To: to.String()},
		Facts{ReceivedOn: received, Rates: rates})
	if err != nil {
		t.Fatalf("next period: %v", err)
	}
	return d
}

// sygedagpengeloven § 50, stk. 1: a next period from November 2024 to 12
// January 2025 is paid at 2024's maximum (126.89 kr/hour) up to Sunday 5
// January 2025 and at 2025's (here a provisional 4,810 kr, 130.00 kr/hour)
// from Monday 6 January: two expected parts, each at its own rate; the
// period's amount is their sum, and the provisional part is kept pending.
func TestSDL50_1_ANextPeriodSpanningTheFirstMondayOfJanuaryIsPaidAtEachDaysRate(t *testing.T) {
	t.Parallel()
	rates, err := defaultRates(t).WithProvisional(2025, kernel.Kr(4810, 0))
	if err != nil {
		t.Fatal(err)
	}
	d := sickFrom(date(1, October, 2024)).employedSince(date(1, January, 2015)).reportedOn(date(20, October, 2024)).withRates(rates).decide(t)
	if d.Absence.RefusionFrom == nil {
		t.Fatal("no refusion")
	}
	n := nextPeriod(t, d.Absence, date(21, October, 2024), date(12, January, 2025), date(13, January, 2025), rates)
	var parts []refusion.Expected
	for _, e := range n.Absence.Expected {
		if e.Key != refusion.ExpectedReportKey {
			parts = append(parts, e)
		}
	}
	if len(parts) != 2 || parts[0].To != date(5, January, 2025) || parts[0].HourlyRate != kernel.Kr(126, 89) ||
		parts[1].From != date(6, January, 2025) || parts[1].HourlyRate != kernel.Kr(130, 0) || parts[1].To != date(12, January, 2025) {
		t.Fatalf("expected parts %+v", parts)
	}
	if n.Period.Amount != parts[0].Amount+parts[1].Amount || n.Period.MaxHourlyRate != kernel.Kr(126, 89) || !n.Period.Provisional {
		t.Errorf("period %+v, want %s + %s, provisional", n.Period, parts[0].Amount, parts[1].Amount)
	}
	// 6–12 January 2025: 37 hours × 130.00 kr = 4,810.00 kr.
	if parts[1].Amount != kernel.Kr(4810, 0) {
		t.Errorf("6–12 January 2025 = %s, want 4,810.00", parts[1].Amount)
	}
	if len(n.Absence.RatePending) != 1 || !n.Absence.RatePending[0].Provisional || n.Absence.RatePending[0].Year != 2025 {
		t.Errorf("pending %+v, want the period pending on the provisional 2025 rate", n.Absence.RatePending)
	}
}

// sygedagpengeloven § 50, stk. 1: with no 2025 rate, the report and a next
// period are decided without an amount and kept as waiting for 2025; a
// provisional 2025 rate computes them (changed, marked provisional, a
// reason says it was recomputed), a second recompute changes nothing, and
// the rate published at another amount computes them again.
func TestSDL50_RecomputeComputesWhatWaitedOnceAndAgainWhenPublished(t *testing.T) {
	t.Parallel()
	none := defaultRates(t)
	d := sickFrom(date(1, October, 2025)).employedSince(date(1, January, 2015)).reportedOn(date(20, October, 2025)).decide(t)
	wantReason(t, d.Reasons, "sdl-50-no-rate")
	n := nextPeriod(t, d.Absence, *d.Absence.RefusionFrom, date(4, January, 2026), date(5, January, 2026), none)
	wantReason(t, n.Reasons, "sdl-50-no-rate")
	a := n.Absence
	if !a.WaitsForRate() || len(a.Expected) != 0 || n.Period.Amount != 0 {
		t.Fatalf("waiting absence %+v", a)
	}
	for _, p := range a.RatePending {
		if !p.Waiting || p.Year != 2025 {
			t.Errorf("pending %+v, want waiting for 2025", p)
		}
	}
	if _, _, changed, err := Recompute(a, none); err != nil || changed {
		t.Fatalf("recompute without the rate: changed %v %v", changed, err)
	}

	prov, err := none.WithProvisional(2025, kernel.Kr(4810, 0))
	if err != nil {
		t.Fatal(err)
	}
	r, what, changed, err := Recompute(a, prov)
	if err != nil || !changed || !what.Report || r.Absence.Version != a.Version+1 {
		t.Fatalf("recompute with a provisional rate: %v %+v %v", changed, what, err)
	}
	wantReason(t, r.Reasons, "sdl-50-recomputed")
	if r.Refusion == nil || !r.Refusion.Provisional || r.Refusion.MaxHourlyRate != kernel.Kr(130, 0) || len(r.Absence.Expected) == 0 {
		t.Fatalf("recomputed %+v expected %+v", r.Refusion, r.Absence.Expected)
	}
	for _, e := range r.Absence.Expected {
		if e.Amount <= 0 || e.HourlyRate != kernel.Kr(130, 0) {
			t.Errorf("expected %+v, want an amount at 130.00 kr/hour", e)
		}
	}
	if r.Effects.Delivery != "sickness.report" || !r.Effects.Expect || len(r.Effects.Tasks) > 0 || r.Effects.NotifyPerson {
		t.Errorf("effects %+v, want the report fed back, no tasks or letters", r.Effects)
	}
	if _, _, again, _ := Recompute(r.Absence, prov); again {
		t.Error("a second recompute with the same rate changed the absence")
	}

	pub, err := prov.With(kernel.Rate{Year: 2025, Weekly: kernel.Kr(4847, 0), Hourly: kernel.HourlyFromWeekly(kernel.Kr(4847, 0)), Source: "https://bm.dk/satser/"})
	if err != nil {
		t.Fatal(err)
	}
	p, _, changed, err := Recompute(r.Absence, pub)
	if err != nil || !changed || p.Refusion.Provisional || p.Refusion.MaxHourlyRate != kernel.Kr(131, 0) {
		t.Fatalf("recompute with the published rate: %v %+v %v", changed, p.Refusion, err)
	}
	if p.Absence.WaitsForRate() {
		t.Errorf("published: nothing should wait, got %+v", p.Absence.RatePending)
	}
	if _, _, again, _ := Recompute(p.Absence, pub); again {
		t.Error("recompute after publishing changed the absence again")
	}
}

// sygedagpengeloven § 50, stk. 1: a report made inside the employer period
// expects no refusion yet, but its weekly amount used a provisional rate;
// the rate published at another amount feeds the report back again, at the
// same amount it does not.
func TestSDL50_AReportsWeeklyAmountAtAProvisionalRateIsRecomputedWhenPublishedAtAnotherAmount(t *testing.T) {
	t.Parallel()
	prov, err := defaultRates(t).WithProvisional(2025, kernel.Kr(4810, 0))
	if err != nil {
		t.Fatal(err)
	}
	d := sickFrom(date(1, October, 2025)).employedSince(date(1, January, 2015)).reportedOn(date(3, October, 2025)).withRates(prov).decide(t)
	if d.Refusion == nil || !d.Refusion.Provisional || len(d.Absence.Expected) != 0 || len(d.Absence.RatePending) != 1 {
		t.Fatalf("report %+v pending %+v", d.Refusion, d.Absence.RatePending)
	}
	same, _ := prov.With(kernel.Rate{Year: 2025, Weekly: kernel.Kr(4810, 0), Hourly: kernel.Kr(130, 0), Source: "https://bm.dk/satser/"})
	if _, _, changed, err := Recompute(d.Absence, same); err != nil || changed {
		t.Errorf("published at the same amount: changed %v %v", changed, err)
	}
	other, _ := prov.With(kernel.Rate{Year: 2025, Weekly: kernel.Kr(4847, 0), Hourly: kernel.Kr(131, 0), Source: "https://bm.dk/satser/"})
	r, what, changed, err := Recompute(d.Absence, other)
	if err != nil || !changed || !what.Report || r.Refusion.MaxHourlyRate != kernel.Kr(131, 0) || r.Refusion.Provisional {
		t.Fatalf("published at another amount: changed %v %+v %+v %v", changed, what, r.Refusion, err)
	}
}
