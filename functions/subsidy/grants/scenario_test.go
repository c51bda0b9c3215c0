package grants

import (
	"errors"
	"slices"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

func date(d int, m time.Month, y int) kernel.Date { return kernel.NewDate(y, m, d) }

func fieldsOf(t *testing.T, fe events.FieldErrors) []string {
	t.Helper()
	var out []string
	for _, e := range fe {
		out = append(out, e.Field+":"+e.Code)
	}
	return out
}

// LAB chapter 12 (via NemRefusion): a wage subsidy request received by the
// 15th is paid that month; after the 15th, the next month.
func TestLAB12_WageSubsidyReceivedByThe15thIsPaidThatMonth(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		received kernel.Date
		want     string
	}{
		{date(1, 3, 2024), "2024-03"},
		{date(15, 3, 2024), "2024-03"},
		{date(16, 3, 2024), "2024-04"},
		{date(20, 12, 2024), "2025-01"},
	} {
		got, r := PaymentMonth(c.received)
		if got != c.want || r.Rule != "lab-12-payment-month" || r.TextDa == "" || r.TextEn == "" {
			t.Errorf("received %s: paid %s, want %s (%+v)", c.received, got, c.want, r)
		}
	}
}

// LAB § 133 and § 136: ½ or ⅔ of the wages (or the decision's basis),
// capped per year; a year without a known cap is never guessed.
func TestLAB133_FractionOfWagesCappedPerYear(t *testing.T) {
	t.Parallel()
	none, err := DefaultCaps()
	if err != nil {
		t.Fatal(err)
	}
	res, rs, err := Fraction(SchemeFlexjob, "2/3", kernel.Kr(24000, 0), 2024, 0, none)
	var noCap ErrNoCap
	if !errors.As(err, &noCap) || noCap.Year != 2024 || !res.CapUnknown || res.Amount != nil || res.AmountBeforeCap != kernel.Kr(16000, 0) {
		t.Fatalf("no cap known for 2024: %+v %v", res, err)
	}
	if rs[len(rs)-1].Rule != "lab-133-cap-unknown" {
		t.Errorf("reasons %+v", rs)
	}
	caps, err := none.With(YearCap{Scheme: SchemeFlexjob, Year: 2024, Amount: kernel.Kr(100000, 0), Source: "test: not a real figure"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		fraction string
		basis    kernel.Money
		paid     kernel.Money
		want     kernel.Money
	}{
		{"two thirds, well under the cap", "2/3", kernel.Kr(24000, 0), 0, kernel.Kr(16000, 0)},
		{"one half, rounded half up to the øre", "1/2", kernel.Kr(100, 1), 0, kernel.Kr(50, 1)},
		{"two thirds, rounded to the øre", "2/3", kernel.Kr(100, 0), 0, kernel.Kr(66, 67)},
		{"the rest of the cap", "2/3", kernel.Kr(24000, 0), kernel.Kr(90000, 0), kernel.Kr(10000, 0)},
		{"the cap is used up", "1/2", kernel.Kr(24000, 0), kernel.Kr(100000, 0), 0},
	} {
		res, _, err := Fraction(SchemeFlexjob, c.fraction, c.basis, 2024, c.paid, caps)
		if err != nil || res.Amount == nil || *res.Amount != c.want {
			t.Errorf("%s: %+v %v, want %s", c.name, res, err, c.want)
		}
	}
	if _, _, err := Fraction(SchemeSelfEmployed136, "3/4", kernel.Kr(1, 0), 2024, 0, caps); err == nil {
		t.Error("a fraction other than 1/2 and 2/3 is refused")
	}
	if _, _, err := Fraction(SchemeSelfEmployed136, "1/2", kernel.Kr(1000, 0), 2024, 0, caps); !errors.As(err, &noCap) || noCap.Scheme != SchemeSelfEmployed136 {
		t.Errorf("the flexjob cap is not the § 136 cap: %v", err)
	}
}

// LAS § 69 t: refusion from the start of the job clarification process, at
// most 3 months back from the request.
func TestLAS69t_FromTheProcessStartAtMost3MonthsBack(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name                      string
		start, from, to, received kernel.Date
		want                      kernel.Date
		ok                        bool
	}{
		{"recent: from the process start", date(1, 2, 2024), date(1, 2, 2024), date(29, 2, 2024), date(10, 3, 2024), date(1, 2, 2024), true},
		{"period before the process: from the start", date(15, 2, 2024), date(1, 2, 2024), date(29, 2, 2024), date(10, 3, 2024), date(15, 2, 2024), true},
		{"old: 3 months back only", date(1, 1, 2024), date(1, 1, 2024), date(30, 6, 2024), date(20, 6, 2024), date(20, 3, 2024), true},
		{"too old: nothing left", date(1, 1, 2024), date(1, 1, 2024), date(31, 1, 2024), date(2, 5, 2024), date(2, 2, 2024), false},
	} {
		got, ok, r := JobClarificationFrom(c.start, c.from, c.to, c.received)
		if ok != c.ok || got != c.want || r.Law != "LAS § 69 t" {
			t.Errorf("%s: from %s ok %v, want %s %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// LAB § 159: the adult apprentice subsidy is paid monthly in arrears.
func TestLAB159_AdultApprenticeMonthlyInArrears(t *testing.T) {
	t.Parallel()
	feb := date(1, 2, 2024)
	if ok, _ := InArrears(feb, date(29, 2, 2024)); ok {
		t.Error("February cannot be requested on its last day")
	}
	if ok, r := InArrears(feb, date(1, 3, 2024)); !ok || r.Rule != "lab-159-arrears" {
		t.Error("February can be requested from 1 March")
	}
}

// LAB chapter 26: a mentor grant runs at most 6 months and may be renewed;
// the period paid for lies inside the grant.
func TestLAB26_MentorGrantAtMost6MonthsRenewable(t *testing.T) {
	t.Parallel()
	fe, rs := MentorGrant(date(8, 1, 2024), date(7, 7, 2024), date(1, 2, 2024), date(29, 2, 2024), "")
	if len(fe) != 0 || len(rs) != 1 {
		t.Fatalf("6 months exactly: %v", fe)
	}
	fe, _ = MentorGrant(date(8, 1, 2024), date(8, 7, 2024), date(1, 7, 2024), date(31, 7, 2024), "")
	if got := fieldsOf(t, fe); !slices.Equal(got, []string{"grant.to:longer_than_6_months", "period:outside_grant"}) {
		t.Errorf("6 months and a day, period outside: %v", got)
	}
	_, rs = MentorGrant(date(8, 7, 2024), date(7, 1, 2025), date(8, 7, 2024), date(31, 7, 2024), "ME-101-2024-0005")
	if !slices.ContainsFunc(rs, func(r kernel.Reason) bool {
		return r.Rule == "lab-26-mentor-6-months" && r.Inputs["renewalOf"] == "ME-101-2024-0005"
	}) {
		t.Errorf("a renewal names the grant it renews: %+v", rs)
	}
}

// Caps are data with a source; a broken table is refused.
func TestCapsAreDataWithSources(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`[{"scheme":"flexjob","year":2024,"amount":1000}]`, `[{"scheme":"x","year":2024,"amount":1,"source":"s"}]`,
		`[{"scheme":"flexjob","year":2024,"amount":1,"source":"s"},{"scheme":"flexjob","year":2024,"amount":2,"source":"s"}]`} {
		if _, err := ParseCaps([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
