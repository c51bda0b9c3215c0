package grants

import (
	"errors"
	"slices"
	"strings"
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
	none, err := ParseCaps([]byte(`[]`))
	if err != nil {
		t.Fatal(err)
	}
	res, rs, err := Fraction(SchemeFlexjob, "2/3", kernel.Kr(24000, 0), 120, 2024, 0, none)
	var noCap ErrNoCap
	if !errors.As(err, &noCap) || noCap.Year != 2024 || !res.CapUnknown || res.Amount != nil || res.AmountBeforeCap != kernel.Kr(16000, 0) {
		t.Fatalf("no cap known for 2024: %+v %v", res, err)
	}
	if rs[len(rs)-1].Rule != "lab-133-cap-unknown" {
		t.Errorf("reasons %+v", rs)
	}
	// A yearly ceiling of the basis of 150,000 kr: the subsidy is at most
	// ½ or ⅔ of it a year (test figures, not the law's).
	caps, err := none.With(YearCap{Scheme: SchemeFlexjob, Year: 2024, Amount: kernel.Kr(150000, 0), Source: "test: not a real figure"})
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
		{"the rest of the cap (⅔ × 150,000 = 100,000)", "2/3", kernel.Kr(24000, 0), kernel.Kr(90000, 0), kernel.Kr(10000, 0)},
		{"the cap is used up (½ × 150,000 = 75,000)", "1/2", kernel.Kr(24000, 0), kernel.Kr(75000, 0), 0},
	} {
		res, _, err := Fraction(SchemeFlexjob, c.fraction, c.basis, 0, 2024, c.paid, caps)
		if err != nil || res.Amount == nil || *res.Amount != c.want {
			t.Errorf("%s: %+v %v, want %s", c.name, res, err, c.want)
		}
	}
	if _, _, err := Fraction(SchemeSelfEmployed136, "3/4", kernel.Kr(1, 0), 0, 2024, 0, caps); err == nil {
		t.Error("a fraction other than 1/2 and 2/3 is refused")
	}
	if _, _, err := Fraction(SchemeSelfEmployed136, "1/2", kernel.Kr(1000, 0), 0, 2024, 0, caps); !errors.As(err, &noCap) || noCap.Scheme != SchemeSelfEmployed136 {
		t.Errorf("the flexjob cap is not the § 136 cap: %v", err)
	}
}

// LAB § 133, stk. 3, and § 136, stk. 2: the subsidy is computed from at
// most 527,091 kr a year or 273.93 kr an hour (2019-niveau) — the embedded
// table's figures, each with its source. A flexjob of 100 hours with wages
// of 30,000 kr counts 27,393 kr; ⅔ of it is 18,262 kr.
func TestLAB133And136_TheLaws2019CeilingsAreData(t *testing.T) {
	t.Parallel()
	caps, err := DefaultCaps()
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{SchemeFlexjob, SchemeSelfEmployed136} {
		y, err := caps.Cap(scheme, 2019)
		if err != nil || y.Amount != kernel.Kr(527091, 0) || y.Hourly != kernel.Kr(273, 93) || y.Source == "" || y.Note != "2019-niveau" {
			t.Errorf("%s 2019: %+v %v", scheme, y, err)
		}
	}
	res, rs, err := Fraction(SchemeFlexjob, "2/3", kernel.Kr(30000, 0), 100, 2019, 0, caps)
	if err != nil || res.HourlyCap == nil || *res.HourlyCap != kernel.Kr(27393, 0) || *res.Amount != kernel.Kr(18262, 0) || *res.Cap != kernel.Kr(351394, 0) {
		t.Fatalf("flexjob 2019: %+v %v", res, err)
	}
	if !slices.ContainsFunc(rs, func(r kernel.Reason) bool {
		return r.Rule == "lab-133-hourly-cap" && r.Law == "LAB § 133 (loft pr. time)"
	}) {
		t.Errorf("reasons %+v", rs)
	}
	// § 136 gives no hours: only the yearly ceiling applies.
	res, _, err = Fraction(SchemeSelfEmployed136, "1/2", kernel.Kr(300000, 0), 0, 2019, kernel.Kr(200000, 0), caps)
	if err != nil || res.HourlyCap != nil || *res.Amount != kernel.Kr(63545, 50) {
		t.Errorf("§ 136 2019: ½ × 527,091 = 263,545.50, less 200,000: %+v %v", res, err)
	}
	// A later year's regulated figure is not in the sources: refused.
	var noCap ErrNoCap
	if _, _, err := Fraction(SchemeFlexjob, "1/2", kernel.Kr(1000, 0), 10, 2026, 0, caps); !errors.As(err, &noCap) || noCap.Year != 2026 {
		t.Errorf("2026: %v", err)
	}
	fe := NoCapFieldError(ErrNoCap{Scheme: SchemeSelfEmployed136, Year: 2026}, "period.from")
	if len(fe) != 1 || fe[0].Field != "period.from" || !strings.Contains(fe[0].Da, "LAB § 136 for 2026") || !strings.Contains(fe[0].En, "LAB § 136 for 2026") {
		t.Errorf("field error %+v", fe)
	}
}

// LAB chapter 12: the wage subsidy is the hours worked × the hourly
// subsidy of the jobcenter's agreement, at most the wages of those hours
// (hours × hourly wage, at most the wages paid); without the agreement's
// rate the municipality computes it and a reason says so.
func TestLAB12_WageSubsidyIsHoursTimesTheAgreedRateAtMostTheWages(t *testing.T) {
	t.Parallel()
	rate := kernel.Kr(90, 0)
	for _, c := range []struct {
		name             string
		hours            float64
		wage, paid       kernel.Money
		agreed           *kernel.Money
		wantWages, wantN kernel.Money
	}{
		{"the agreed rate", 148, kernel.Kr(160, 0), kernel.Kr(23680, 0), &rate, kernel.Kr(23680, 0), kernel.Kr(13320, 0)},
		{"hours to hundredths, rounded to the øre", 10.255, kernel.Kr(150, 0), kernel.Kr(5000, 0), &rate, kernel.Kr(1539, 0), kernel.Kr(923, 40)},
		{"at most the wages paid", 100, kernel.Kr(150, 0), kernel.Kr(5000, 0), &rate, kernel.Kr(5000, 0), kernel.Kr(5000, 0)},
		{"a rate above the hourly wage gets the wages", 10, kernel.Kr(80, 0), kernel.Kr(5000, 0), &rate, kernel.Kr(800, 0), kernel.Kr(800, 0)},
	} {
		res, rs := WageSubsidy(c.hours, c.wage, c.paid, c.agreed)
		if res.WagesOfHours == nil || *res.WagesOfHours != c.wantWages || res.Amount == nil || *res.Amount != c.wantN || res.RateUnknown {
			t.Errorf("%s: %+v, want wages %s amount %s", c.name, res, c.wantWages, c.wantN)
		}
		if r := rs[len(rs)-1]; r.Rule != "lab-12-amount" || r.TextDa == "" || r.TextEn == "" {
			t.Errorf("%s: reason %+v", c.name, r)
		}
	}
	res, rs := WageSubsidy(148, kernel.Kr(160, 0), kernel.Kr(23680, 0), nil)
	if !res.RateUnknown || res.Amount != nil || rs[len(rs)-1].Rule != "lab-12-rate-unknown" {
		t.Errorf("without the agreement's rate: %+v %+v", res, rs)
	}
}

// LAB § 159, stk. 2 and 3: 45 kr an hour for an apprentice from
// unemployment (§ 155, stk. 1), 30 kr from employment (§ 155, stk. 2),
// from the law of 1 January 2020 (rates.json); a month before has no rate
// in the table and is refused naming the month.
func TestLAB159_AdultApprenticeSubsidyPerHourOfTheTargetGroup(t *testing.T) {
	t.Parallel()
	rates, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	for group, want := range map[string]kernel.Money{GroupUnemployed: kernel.Kr(7222, 50), GroupEmployed: kernel.Kr(4815, 0)} {
		res, rs, err := AdultApprenticeSubsidy(date(1, 2, 2024), 160.5, group, rates)
		if err != nil || res.Amount == nil || *res.Amount != want || len(rs) != 1 || !strings.HasPrefix(rs[0].Law, "LAB § 159, stk.") || rs[0].Source == "" {
			t.Errorf("%s: %+v %+v %v, want %s", group, res, rs, err, want)
		}
	}
	res, rs, err := AdultApprenticeSubsidy(date(1, 2, 2024), 160.5, "", rates)
	if err != nil || !res.RateUnknown || res.Amount != nil || rs[0].Rule != "lab-159-group-unknown" {
		t.Errorf("without the group: %+v %+v %v", res, rs, err)
	}
	_, _, err = AdultApprenticeSubsidy(date(1, 12, 2019), 100, GroupEmployed, rates)
	var fe events.FieldErrors
	if !errors.As(err, &fe) || fe[0].Field != "month" || fe[0].Code != "no_rate" || !strings.Contains(fe[0].Da, "december 2019") || !strings.Contains(fe[0].En, "December 2019") {
		t.Errorf("December 2019: %v", err)
	}
	for _, bad := range []string{`[{"scheme":"adultapprentice","group":"employed","from":"2020-01-01","hourly":30,"law":"x"}]`,
		`[{"scheme":"wage","group":"x","from":"2020-01-01","hourly":30,"law":"x","source":"s"}]`,
		`[{"scheme":"adultapprentice","group":"employed","from":"2020-01-01","hourly":30,"law":"x","source":"s"},{"scheme":"adultapprentice","group":"employed","from":"2021-01-01","hourly":31,"law":"x","source":"s"}]`} {
		if _, err := ParseRates([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
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
