package barsel

import (
	"errors"
	"slices"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Scenarios in plain words: "on leave from 4 March to 10 March 2024, 37
// hours, wages 7,400 kr, earning 200 kr an hour, requested on 1 May".

func date(d int, m time.Month, y int) kernel.Date { return kernel.NewDate(y, m, d) }

type scenario struct {
	req   Request
	rates kernel.Table
}

func earning(kr int64) scenario {
	t, err := kernel.DefaultTable()
	if err != nil {
		panic(err)
	}
	return scenario{req: Request{HourlyEarnings: kernel.Kr(kr, 0)}, rates: t}
}

func (s scenario) onLeave(from, to kernel.Date, hours float64, wagesKr int64) scenario {
	s.req.Periods = append(s.req.Periods, Period{From: from, To: to, Kind: events.LeaveBirth, HoursAbsent: hours, WagesPaid: kernel.Kr(wagesKr, 0)})
	return s
}

func (s scenario) kind(k string) scenario { s.req.Periods[len(s.req.Periods)-1].Kind = k; return s }

func (s scenario) requestedBefore(from, to kernel.Date) scenario {
	s.req.Earlier = append(s.req.Earlier, Period{From: from, To: to, Kind: events.LeaveBirth, HoursAbsent: 37, WagesPaid: kernel.Kr(1000, 0)})
	return s
}

func (s scenario) leaveContinues() scenario           { s.req.LeaveContinues = true; return s }
func (s scenario) requestedOn(d kernel.Date) scenario { s.req.ReceivedOn = d; return s }
func (s scenario) withRates(t kernel.Table) scenario  { s.rates = t; return s }
func (s scenario) compute(t *testing.T) Result {
	t.Helper()
	res, err := Compute(s.req, s.rates)
	if err != nil {
		t.Fatalf("compute: %v", err)
	}
	return res
}

func wantRule(t *testing.T, res Result, rule string) kernel.Reason {
	t.Helper()
	for _, r := range res.Reasons {
		if r.Rule == rule {
			if r.TextDa == "" || r.TextEn == "" || r.Law == "" || r.Source == "" {
				t.Errorf("reason %s lacks text, law or source: %+v", rule, r)
			}
			return r
		}
	}
	var ids []string
	for _, r := range res.Reasons {
		ids = append(ids, r.Rule)
	}
	t.Fatalf("no reason %s in %v", rule, ids)
	return kernel.Reason{}
}

func amount(t *testing.T, p PeriodResult) kernel.Money {
	t.Helper()
	if p.Refusion == nil {
		t.Fatalf("no amount for %s–%s", p.From, p.To)
	}
	return *p.Refusion
}

// § 39: the refusion is the barselsdagpenge the employee would have had —
// hourly earnings after the 8 % AM-bidrag, at most the maximum hourly rate
// of the year (the sygedagpenge maximum, 126.89 kr in 2024) — for the hours
// absent, and never more than the wages paid.
func TestBarsel39_RefusionIsDagpengeCappedAtMaxRateAndWages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		s          scenario
		want       kernel.Money
		cappedBy   string
		hourlyRate kernel.Money
	}{
		{"high earner: capped at the maximum hourly rate", earning(200).onLeave(date(4, 3, 2024), date(10, 3, 2024), 37, 7400),
			kernel.Kr(4694, 93), "dagpenge", kernel.Kr(126, 89)},
		{"low earner: earnings after AM-bidrag", earning(120).onLeave(date(4, 3, 2024), date(10, 3, 2024), 37, 4440),
			kernel.Kr(4084, 80), "dagpenge", kernel.Kr(110, 40)},
		{"reduced wages: capped at the wages paid", earning(120).onLeave(date(4, 3, 2024), date(10, 3, 2024), 37, 3000),
			kernel.Kr(3000, 0), "wages", kernel.Kr(110, 40)},
		{"no wages paid: no refusion", earning(200).onLeave(date(4, 3, 2024), date(10, 3, 2024), 37, 0),
			0, "wages", kernel.Kr(126, 89)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := c.s.requestedOn(date(1, 4, 2024)).compute(t)
			p := res.Periods[0]
			if got := amount(t, p); got != c.want || p.CappedBy != c.cappedBy || *p.HourlyRate != c.hourlyRate {
				t.Errorf("refusion %s by %s at %s/h, want %s by %s at %s/h", got, p.CappedBy, *p.HourlyRate, c.want, c.cappedBy, c.hourlyRate)
			}
			if res.Total != c.want || !res.Complete || res.Provisional {
				t.Errorf("total %s complete %v provisional %v", res.Total, res.Complete, res.Provisional)
			}
			wantRule(t, res, "barsl-39-max-rate")
			wantRule(t, res, "barsl-39-hourly-rate")
			wantRule(t, res, "barsl-39-cap")
		})
	}
}

// § 40 stk. 2–3: a leave period has expired when a week has passed without
// absence giving right to refusion; the request must be received within 8
// weeks after that, else the right to refusion for the period lapses.
func TestBarsel40_EightWeeksAfterTheLeavePeriodExpiresElseTheRightLapses(t *testing.T) {
	t.Parallel()
	last := date(10, 3, 2024) // expires 17 March, deadline 12 May
	cases := []struct {
		name     string
		received kernel.Date
		lapsed   bool
	}{
		{"received the day after the leave", date(11, 3, 2024), false},
		{"received on the deadline", date(12, 5, 2024), false},
		{"received the day after the deadline", date(13, 5, 2024), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := earning(200).onLeave(date(4, 3, 2024), last, 37, 7400).requestedOn(c.received).compute(t)
			p := res.Periods[0]
			if p.Deadline != date(12, 5, 2024) || res.LeavePeriods[0].Expires != date(17, 3, 2024) {
				t.Fatalf("deadline %s expires %s, want 2024-05-12 and 2024-03-17", p.Deadline, res.LeavePeriods[0].Expires)
			}
			wantRule(t, res, "barsl-40-2-deadline")
			if p.Lapsed != c.lapsed {
				t.Fatalf("lapsed %v, want %v", p.Lapsed, c.lapsed)
			}
			if c.lapsed {
				wantRule(t, res, "barsl-40-2-lapsed")
				if amount(t, p) != 0 || res.Total != 0 {
					t.Errorf("a lapsed period gives %s", amount(t, p))
				}
			} else {
				wantRule(t, res, "barsl-40-2-in-time")
				if amount(t, p) == 0 {
					t.Error("a request in time gives refusion")
				}
			}
		})
	}
}

// § 40 stk. 3: leave with less than a week between is one leave period, so
// the first part's deadline runs from the end of the last part; a full
// week without leave ends it.
func TestBarsel40Stk3_LessThanAWeekBetweenIsOneLeavePeriod(t *testing.T) {
	t.Parallel()
	// 1–10 March, then from 17 March (6 days without leave: 11–16 March).
	joined := earning(200).onLeave(date(1, 3, 2024), date(10, 3, 2024), 50, 10000).
		onLeave(date(17, 3, 2024), date(31, 3, 2024), 74, 14800).requestedOn(date(20, 5, 2024)).compute(t)
	if len(joined.LeavePeriods) != 1 || joined.Periods[0].Deadline != date(2, 6, 2024) || joined.Periods[0].Lapsed {
		t.Fatalf("6 days between: %+v", joined.LeavePeriods)
	}
	// 1–10 March, then from 18 March (a full week 11–17 March without leave):
	// the first leave period expired on 17 March, its deadline was 12 May.
	split := earning(200).onLeave(date(1, 3, 2024), date(10, 3, 2024), 50, 10000).
		onLeave(date(18, 3, 2024), date(31, 3, 2024), 74, 14800).requestedOn(date(20, 5, 2024)).compute(t)
	if len(split.LeavePeriods) != 2 || !split.Periods[0].Lapsed || split.Periods[1].Lapsed {
		t.Fatalf("a week between: %+v / %+v", split.LeavePeriods, split.Periods)
	}
	if split.Total != *split.Periods[1].Refusion {
		t.Errorf("only the second leave period is paid: total %s", split.Total)
	}
	// A period requested earlier on the case joins too: it fills the gap.
	filled := earning(200).requestedBefore(date(11, 3, 2024), date(24, 3, 2024)).
		onLeave(date(1, 3, 2024), date(10, 3, 2024), 50, 10000).onLeave(date(25, 3, 2024), date(31, 3, 2024), 37, 7400).
		requestedOn(date(20, 5, 2024)).compute(t)
	if len(filled.LeavePeriods) != 1 || filled.LeavePeriods[0].To != date(31, 3, 2024) {
		t.Fatalf("earlier periods join: %+v", filled.LeavePeriods)
	}
}

// § 40 stk. 3: a leave that goes on has not expired; the next deadline is
// at the earliest 8 weeks after a week past the last requested day.
func TestBarsel40Stk3_AnOpenLeaveHasNotExpired(t *testing.T) {
	t.Parallel()
	res := earning(200).onLeave(date(4, 3, 2024), date(31, 3, 2024), 148, 29600).leaveContinues().requestedOn(date(1, 9, 2024)).compute(t)
	p := res.Periods[0]
	if p.Lapsed || !p.Deadline.IsZero() || res.NextDeadline == nil || *res.NextDeadline != date(2, 6, 2024) {
		t.Fatalf("open leave: %+v next %v", p, res.NextDeadline)
	}
	wantRule(t, res, "barsl-40-3-open")
}

// § 40 stk. 5: no refusion for absence for preventive pregnancy examinations.
func TestBarsel40Stk5_NoRefusionForPreventiveExaminations(t *testing.T) {
	t.Parallel()
	res := earning(200).onLeave(date(5, 2, 2024), date(5, 2, 2024), 3, 600).kind(events.LeavePregnancyExamination).
		onLeave(date(4, 3, 2024), date(10, 3, 2024), 37, 7400).kind(events.LeavePregnancy).requestedOn(date(1, 4, 2024)).compute(t)
	if amount(t, res.Periods[0]) != 0 || res.Periods[0].CappedBy != "examination" || res.Total != kernel.Kr(4694, 93) {
		t.Fatalf("examination: %+v total %s", res.Periods[0], res.Total)
	}
	wantRule(t, res, "barsl-40-5-examination")
}

// A year without a maximum rate is never guessed: the amount is left out
// and the year named; a provisional rate is used and said to be one.
func TestBarsel39_NoRateIsNamedProvisionalIsSaid(t *testing.T) {
	t.Parallel()
	res := earning(200).onLeave(date(3, 3, 2025), date(9, 3, 2025), 37, 7400).requestedOn(date(1, 4, 2025)).compute(t)
	if res.Complete || !slices.Equal(res.MissingRateYears, []int{2025}) || res.Periods[0].Refusion != nil {
		t.Fatalf("2025 has no rate: %+v", res)
	}
	wantRule(t, res, "barsl-39-no-rate")
	base, _ := kernel.DefaultTable()
	prov, err := base.WithProvisional(2025, kernel.Kr(4845, 0))
	if err != nil {
		t.Fatal(err)
	}
	res = earning(200).withRates(prov).onLeave(date(3, 3, 2025), date(9, 3, 2025), 37, 7400).requestedOn(date(1, 4, 2025)).compute(t)
	if !res.Complete || !res.Provisional || !res.Periods[0].Provisional {
		t.Fatalf("provisional: %+v", res)
	}
	wantRule(t, res, "barsl-39-max-rate-provisional")
}

// Refusion is requested once per day of leave; every bad field is named.
func TestRequestValidationNamesEveryField(t *testing.T) {
	t.Parallel()
	s := earning(0).requestedBefore(date(1, 3, 2024), date(10, 3, 2024)).
		onLeave(date(5, 3, 2024), date(12, 3, 2024), 37, 100).
		onLeave(date(20, 12, 2024), date(3, 1, 2025), 0, 100)
	_, err := Compute(s.req, s.rates)
	var fe events.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors: %v", err)
	}
	var got []string
	for _, e := range fe {
		got = append(got, e.Field+":"+e.Code)
	}
	for _, want := range []string{"periods.0:already_requested", "periods.1.to:crosses_year", "periods.1.hoursAbsent:hours",
		"hourlyEarnings:required", "receivedOn:required"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
}

// sygedagpengeloven § 50, stk. 1 (the barselsdagpenge maximum is the
// sygedagpenge maximum): a leave period from 1 to 6 January 2019 is paid at
// 2018's rate (4,300 kr, 116.22 kr/hour), one from Monday 7 January 2019 at
// 2019's (4,355 kr, 117.70 kr/hour); a period reaching past the first Monday
// is paid at its first day's rate and says so.
func TestSDL50_1_LeaveBeforeTheFirstMondayOfJanuaryUsesLastYearsRate(t *testing.T) {
	t.Parallel()
	res := earning(300).onLeave(date(1, 1, 2019), date(6, 1, 2019), 30, 99999).
		onLeave(date(7, 1, 2019), date(13, 1, 2019), 37, 99999).requestedOn(date(1, 2, 2019)).compute(t)
	if h := res.Periods[0].MaxHourlyRate; h == nil || *h != kernel.Kr(116, 22) {
		t.Errorf("1–6 January 2019: max hourly %v, want 116.22", h)
	}
	if h := res.Periods[1].MaxHourlyRate; h == nil || *h != kernel.Kr(117, 70) {
		t.Errorf("7–13 January 2019: max hourly %v, want 117.70", h)
	}
	span := earning(300).onLeave(date(2, 1, 2019), date(13, 1, 2019), 74, 99999).requestedOn(date(1, 2, 2019)).compute(t)
	if h := span.Periods[0].MaxHourlyRate; h == nil || *h != kernel.Kr(116, 22) {
		t.Errorf("2–13 January 2019: max hourly %v, want 116.22", h)
	}
	wantRule(t, span, "barsl-39-rate-of-first-day")
	// 2–5 January 2025 still have 2024's rate; 6 January 2025 has none.
	early := earning(300).onLeave(date(2, 1, 2025), date(5, 1, 2025), 20, 99999).requestedOn(date(1, 2, 2025)).compute(t)
	if !early.Complete {
		t.Errorf("2–5 January 2025 should use 2024's rate: %+v", early)
	}
	late := earning(300).onLeave(date(6, 1, 2025), date(9, 1, 2025), 20, 99999).requestedOn(date(1, 2, 2025)).compute(t)
	if late.Complete || !slices.Equal(late.MissingRateYears, []int{2025}) {
		t.Errorf("6–9 January 2025 has no rate: %+v", late)
	}
}
