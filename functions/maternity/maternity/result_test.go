package maternity

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/barsel"
)

// The contract's result is the rules' JSON without the reasons: the same
// field names, null deadlines while a leave period is open, absent
// amounts for a year without a rate, two-decimal kroner. The preview
// answers with the rules' JSON, and stored deliveries carry it, so the
// conversion must not change a byte of it.
func TestResultJSONIsTheRulesJSONWithoutReasons(t *testing.T) {
	t.Parallel()
	rates, err := kernel.DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	d := func(y int, m time.Month, day int) kernel.Date { return kernel.NewDate(y, m, day) }
	p := func(from, to kernel.Date, kind string, wagesKr int64) barsel.Period {
		return barsel.Period{From: from, To: to, Kind: kind, HoursAbsent: 37, WagesPaid: kernel.Kr(wagesKr, 0)}
	}
	cases := map[string]barsel.Request{
		// § 39: capped by the dagpenge, then by the wages; the leave goes on.
		"open, capped": {Periods: []barsel.Period{p(d(2024, 3, 4), d(2024, 3, 10), events.LeaveBirth, 7400),
			p(d(2024, 3, 11), d(2024, 3, 17), events.LeaveBirth, 3000)}, HourlyEarnings: kernel.Kr(200, 0), LeaveContinues: true, ReceivedOn: d(2024, 4, 1)},
		// § 40 stk. 3: a closed leave period has a deadline; stk. 5: an
		// examination gives no refusion.
		"closed, examination": {Periods: []barsel.Period{p(d(2024, 3, 4), d(2024, 3, 4), events.LeavePregnancyExamination, 0),
			p(d(2024, 3, 11), d(2024, 3, 17), events.LeaveBirth, 7400)}, HourlyEarnings: kernel.Kr(120, 0), ReceivedOn: d(2024, 4, 1)},
		// § 40 stk. 2: too late, the right has lapsed.
		"lapsed": {Periods: []barsel.Period{p(d(2023, 3, 6), d(2023, 3, 12), events.LeaveBirth, 7400)}, HourlyEarnings: kernel.Kr(200, 0), ReceivedOn: d(2024, 4, 1)},
		// A year without a maximum rate: no amounts, the year named.
		"no rate": {Periods: []barsel.Period{p(d(2099, 3, 2), d(2099, 3, 8), events.LeaveBirth, 7400)}, HourlyEarnings: kernel.Kr(200, 0), LeaveContinues: true, ReceivedOn: d(2099, 3, 9)},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := barsel.Compute(req, rates)
			if err != nil {
				t.Fatal(err)
			}
			rules := res
			rules.Reasons = nil
			sameJSON(t, "refusion", rules, refusion(res))
			sameJSON(t, "periods", req.Periods, convert(req.Periods, period))
			sameJSON(t, "leave periods", res.LeavePeriods, convert(res.LeavePeriods, leavePeriod))
		})
	}
}

func sameJSON(t *testing.T, what string, rules, contract any) {
	t.Helper()
	want, err := json.Marshal(rules)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(contract)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}
